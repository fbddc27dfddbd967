using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WebhookSender;

/// <summary>
/// The webhooks' health: this process's dispatcher runs, the store answers, and the backlog of due deliveries is within
/// the host's thresholds. One aggregate read of the queue (<see cref="IWebhookDeliveries.GetBacklogAsync"/>) per check.
/// </summary>
internal sealed class WebhookHealthCheck(IWebhookDeliveries deliveries, DispatcherStatus dispatcher, WebhookHealthCheckOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["dispatcherRunning"] = dispatcher.IsRunning };
        if (options.RequireDispatcher && !dispatcher.IsRunning)
        {
            return HealthCheckResult.Unhealthy(
                dispatcher.HasStarted
                    ? "The webhook dispatcher has stopped: nothing is sent from this process until it restarts."
                    : "The webhook dispatcher has not started: the app runs no generic host, or the host has not started yet.",
                data: data);
        }

        WebhookBacklog backlog;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StoreTimeout);
        try
        {
            // WaitAsync as well as the token: a store that ignores cancellation still cannot hold the check.
            backlog = await deliveries.GetBacklogAsync(cancellationToken: timeout.Token).WaitAsync(options.StoreTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException)
        {
            return HealthCheckResult.Healthy("The webhook dispatcher runs; the store does not count its backlog, so it is not checked.", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            bool timedOut = ex is OperationCanceledException or TimeoutException;
            return HealthCheckResult.Unhealthy(
                timedOut
                    ? $"The webhook store did not answer within {options.StoreTimeout.TotalSeconds:0.#} s."
                    : $"The webhook store is unreachable ({ex.GetType().Name}).",
                timedOut ? null : ex,
                data);
        }

        data["due"] = backlog.Due;
        data["inFlight"] = backlog.InFlight;
        data["waiting"] = backlog.Waiting;
        var age = backlog.OldestDueAge ?? TimeSpan.Zero;
        data["oldestDueAgeSeconds"] = age.TotalSeconds;
        string summary = $"{backlog.Due} due, {backlog.InFlight} in flight, {backlog.Waiting} waiting; the oldest due has waited {age.TotalSeconds:0.#} s.";
        if (age >= options.UnhealthyOldestDueAge || backlog.Due >= options.UnhealthyDueCount)
        {
            return HealthCheckResult.Unhealthy("The webhook backlog is over the unhealthy threshold: " + summary, data: data);
        }

        if (age >= options.DegradedOldestDueAge || backlog.Due >= options.DegradedDueCount)
        {
            return HealthCheckResult.Degraded("The webhook backlog is over the degraded threshold: " + summary, data: data);
        }

        return HealthCheckResult.Healthy(summary, data);
    }
}
