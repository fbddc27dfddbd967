using System.ComponentModel.DataAnnotations;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>
/// Settings of the Entity Framework Core store registered by <c>AddEntityFrameworkStore&lt;TContext&gt;()</c>.
/// Validated at start-up.
/// </summary>
public sealed class EntityFrameworkStoreOptions
{
    /// <summary>
    /// The longest the dispatcher waits without a signal before it looks for due work again. New work published through
    /// this process (or announced with PostgreSQL <c>NOTIFY</c>) wakes it at once; the poll catches work written by
    /// processes that cannot signal (SQLite shared by several processes, an outbox saved outside an EF transaction).
    /// Default 2 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// On PostgreSQL, announce new work with <c>NOTIFY</c> and listen for it on a dedicated connection, so every
    /// instance's dispatcher wakes within milliseconds. Default <see langword="true"/>. Ignored on SQLite.
    /// </summary>
    public bool UseNotifications { get; set; } = true;

    /// <summary>The PostgreSQL notification channel: a lowercase identifier. Default <c>webhooksender_work</c>.</summary>
    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "The NotificationChannel must be a lowercase PostgreSQL identifier: a letter or '_', then up to 62 letters, digits or '_'.")]
    public string NotificationChannel { get; set; } = "webhooksender_work";

    /// <summary>
    /// Names this instance in the <c>lease_owner</c> column of the deliveries it holds, so operators can see who sends
    /// what. Default: machine name, process id and a random suffix.
    /// </summary>
    [Required]
    [StringLength(200, MinimumLength = 1)]
    public string InstanceId { get; set; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// Remove succeeded deliveries, their attempts (request and response bodies) and messages left without deliveries
    /// once they have been completed this long. <see langword="null"/> (the default) keeps them for ever.
    /// </summary>
    public TimeSpan? SucceededRetention { get; set; }

    /// <summary>
    /// Remove failed deliveries and their attempts once they have been completed this long; usually longer than
    /// <see cref="SucceededRetention"/>, so there is time to look into failures. <see langword="null"/> (the default)
    /// keeps them for ever.
    /// </summary>
    public TimeSpan? FailedRetention { get; set; }

    /// <summary>How often the retention cleanup runs when a retention is set. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many deliveries the cleanup removes per statement, keeping each transaction short. Default 1,000.</summary>
    [Range(1, 100_000)]
    public int CleanupBatchSize { get; set; } = 1000;
}
