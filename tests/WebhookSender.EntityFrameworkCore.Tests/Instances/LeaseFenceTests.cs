using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace WebhookSender.EntityFrameworkCore.Tests.Instances;

/// <summary>
/// The owner's half of the heartbeat fence, on a fake clock: it vouches for its leases until one heartbeat interval
/// before the others may take it over, counted from the start of its last successful heartbeat.
/// </summary>
public sealed class LeaseFenceTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Without_a_running_heartbeat_it_vouches_for_every_lease_and_never_cancels()
    {
        using var fence = Fence();

        Assert.True(fence.TryVouch(out var token));
        Assert.False(token.CanBeCanceled);
        Assert.False(fence.LeasesLost.CanBeCanceled);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.True(fence.StillVouches(token));
    }

    [Fact]
    public void It_vouches_from_the_start_of_the_last_successful_heartbeat_until_one_interval_before_the_instance_timeout()
    {
        using var fence = Fence();
        fence.Enable();
        Assert.False(fence.TryVouch(out _));

        long started = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromMilliseconds(300)); // the heartbeat's round trip
        Assert.True(fence.Renew(started, regain: true));
        Assert.True(fence.TryVouch(out var token));
        var lost = fence.LeasesLost;
        Assert.Equal(token, lost);

        _clock.Advance(Timeout - Interval - TimeSpan.FromMilliseconds(301));
        Assert.True(fence.StillVouches(token));
        Assert.False(lost.IsCancellationRequested);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(lost.IsCancellationRequested);
        Assert.False(fence.TryVouch(out _));
        Assert.False(fence.StillVouches(token));
        Assert.True(fence.IsLost);
    }

    [Fact]
    public void Each_successful_heartbeat_moves_the_end_on()
    {
        using var fence = Vouching();
        var lost = fence.LeasesLost;

        for (int beat = 0; beat < 10; beat++)
        {
            _clock.Advance(Interval);
            Assert.True(fence.Renew(_clock.GetTimestamp(), regain: false));
        }

        _clock.Advance(Timeout - Interval - TimeSpan.FromTicks(1));
        Assert.False(lost.IsCancellationRequested);
        Assert.Equal(lost, fence.LeasesLost);
    }

    [Fact]
    public void Once_lost_it_vouches_again_only_for_a_caller_that_made_the_old_leases_harmless_and_then_with_a_new_token()
    {
        using var fence = Vouching();
        var old = fence.LeasesLost;
        _clock.Advance(Timeout);
        Assert.True(old.IsCancellationRequested);

        Assert.False(fence.Renew(_clock.GetTimestamp(), regain: false));
        Assert.False(fence.TryVouch(out _));

        Assert.True(fence.Renew(_clock.GetTimestamp(), regain: true));
        Assert.True(fence.TryVouch(out var renewed));
        Assert.NotEqual(old, renewed);
        Assert.False(renewed.IsCancellationRequested);
        Assert.True(old.IsCancellationRequested);
        Assert.False(fence.StillVouches(old));
    }

    [Fact]
    public void A_heartbeat_that_took_longer_than_the_window_vouches_for_nothing()
    {
        using var fence = Fence();
        fence.Enable();
        long started = _clock.GetTimestamp();
        _clock.Advance(Timeout - Interval);

        fence.Renew(started, regain: true);

        Assert.False(fence.TryVouch(out _));
    }

    [Fact]
    public void Closed_it_cancels_and_never_vouches_again()
    {
        using var fence = Vouching();
        var lost = fence.LeasesLost;

        fence.Close();
        fence.Renew(_clock.GetTimestamp(), regain: true);

        Assert.True(lost.IsCancellationRequested);
        Assert.False(fence.TryVouch(out _));
    }

    [Fact]
    public async Task Waiting_while_lost_ends_when_it_vouches_again()
    {
        using var fence = Fence();
        fence.Enable();
        var waiting = fence.WhenVouchedAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        fence.Renew(_clock.GetTimestamp(), regain: true);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(fence.WhenVouchedAsync(TimeSpan.FromMinutes(1), CancellationToken.None).IsCompleted);
    }

    /// <summary>A fence whose heartbeat runs and has just succeeded.</summary>
    private LeaseFence Vouching()
    {
        var fence = Fence();
        fence.Enable();
        fence.Renew(_clock.GetTimestamp(), regain: true);
        return fence;
    }

    private LeaseFence Fence() => new(
        _clock,
        Options.Create(new EntityFrameworkStoreOptions { HeartbeatInterval = Interval, InstanceTimeout = Timeout, InstanceId = "test" }),
        NullLogger<LeaseFence>.Instance);
}
