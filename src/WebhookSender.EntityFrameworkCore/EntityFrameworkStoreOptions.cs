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
    /// Names this instance in the <c>lease_owner</c> column of the deliveries it holds and in its heartbeat row
    /// (<c>webhook_instances</c>), so operators can see who sends what. Every running instance needs its own: a second
    /// process started with an id whose heartbeat is fresh leases nothing until that heartbeat stops. Default: machine
    /// name, process id and a random suffix.
    /// </summary>
    [Required]
    [StringLength(200, MinimumLength = 1)]
    public string InstanceId { get; set; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// How often this instance renews its heartbeat in <c>webhook_instances</c> and looks for instances whose heartbeat
    /// stopped (for longer than <see cref="InstanceTimeout"/>), to take their leased deliveries over. Default 2 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long an instance may go without a heartbeat, by the database's clock, before the other instances take its
    /// leased deliveries over, instead of waiting for the leases to expire (<c>WebhookOptions.LeaseDuration</c>). An
    /// instance whose own heartbeats fail stops its attempts in flight and leases nothing once its last successful
    /// heartbeat began <see cref="InstanceTimeout"/> minus <see cref="HeartbeatInterval"/> ago, so that no delivery is sent
    /// by two instances at once. At least three heartbeat intervals. Default 10 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.150", "01:00:00")]
    public TimeSpan InstanceTimeout { get; set; } = TimeSpan.FromSeconds(10);

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

    /// <summary>
    /// Fail a pull subscription's messages that its reader has not read within this long, so a reader that never comes
    /// does not keep them (and their messages) for ever; they are then in the delivery log as failed, and go with
    /// <see cref="FailedRetention"/>. <see langword="null"/> (the default) keeps them until read.
    /// </summary>
    public TimeSpan? UnreadRetention { get; set; }

    /// <summary>
    /// How long the dispatcher holds a finished attempt's outcome before writing it, so that the outcomes of attempts
    /// finishing meanwhile are committed together: on SQLite each commit waits for a disk flush behind one writer, and
    /// fewer commits per delivery send more. <see langword="null"/> (the default) is 2 milliseconds on SQLite and none on
    /// PostgreSQL, which commits many writers at once. At most 1 second.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan? LeaseEndDelay { get; set; }

    /// <summary>How often the retention cleanup runs when a retention is set. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many deliveries the cleanup removes per statement, keeping each transaction short. Default 1,000.</summary>
    [Range(1, 100_000)]
    public int CleanupBatchSize { get; set; } = 1000;
}
