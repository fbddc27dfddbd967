using WebhookSender.EntityFrameworkCore;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds the tables of WebhookSender's Entity Framework Core store to the host's model.</summary>
public static class WebhookModelBuilderExtensions
{
    /// <summary>
    /// Adds the <c>webhook_subscriptions</c>, <c>webhook_subscription_event_types</c>, <c>webhook_messages</c>,
    /// <c>webhook_deliveries</c>, <c>webhook_queue</c>, <c>webhook_attempts</c>, <c>webhook_bodies</c>, <c>webhook_instances</c>, <c>webhook_limits</c> and <c>webhook_feed</c> tables, with the indexes that
    /// leasing due deliveries and matching subscriptions need. Call it from <c>OnModelCreating</c> of the context passed to
    /// <c>AddEntityFrameworkStore&lt;TContext&gt;()</c>, then add a migration (<c>dotnet ef migrations add AddWebhooks</c>).
    /// </summary>
    /// <remarks>
    /// Column names are set explicitly (snake_case) and times are stored as UTC ticks (<c>bigint</c>), so the schema is the
    /// same on PostgreSQL and SQLite. The subscription record is stored whole as a JSON document next to the indexed
    /// columns: new subscription settings need no migration.
    /// </remarks>
    /// <param name="modelBuilder">The host context's model builder.</param>
    /// <param name="schema">The database schema of the tables; <see langword="null"/> for the context's default.</param>
    /// <returns>The same model builder, for chaining.</returns>
    public static ModelBuilder AddWebhookSender(this ModelBuilder modelBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        if (schema is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        }

        modelBuilder.Entity<SubscriptionRow>(entity =>
        {
            entity.ToTable(TableNames.Subscriptions, schema);
            entity.HasKey(s => s.Id);
            entity.Property(s => s.Id).HasColumnName("id");
            entity.Property(s => s.TenantId).HasColumnName("tenant_id");
            entity.Property(s => s.IsActive).HasColumnName("is_active");
            entity.Property(s => s.CreatedAt).HasColumnName("created_at");
            entity.Property(s => s.UpdatedAt).HasColumnName("updated_at");
            entity.Property(s => s.Version).HasColumnName("version");
            entity.Property(s => s.Document).HasColumnName("document");
            entity.Property(s => s.IsProtected).HasColumnName("is_protected");
            entity.HasIndex(s => new { s.TenantId, s.Id }).HasDatabaseName("ix_webhook_subscriptions_tenant_id");
        });

        modelBuilder.Entity<SubscriptionEventTypeRow>(entity =>
        {
            entity.ToTable(TableNames.SubscriptionEventTypes, schema);
            entity.HasKey(e => new { e.SubscriptionId, e.EventType });
            entity.Property(e => e.SubscriptionId).HasColumnName("subscription_id");
            entity.Property(e => e.TenantKey).HasColumnName("tenant_id");
            entity.Property(e => e.EventType).HasColumnName("event_type");
            entity.HasIndex(e => new { e.TenantKey, e.EventType, e.SubscriptionId }).HasDatabaseName("ix_webhook_subscription_event_types_match");
        });

        modelBuilder.Entity<MessageRow>(entity =>
        {
            entity.ToTable(TableNames.Messages, schema);
            entity.HasKey(m => m.Id);
            entity.Property(m => m.Id).HasColumnName("id");
            entity.Property(m => m.EventType).HasColumnName("event_type");
            entity.Property(m => m.TenantId).HasColumnName("tenant_id");
            entity.Property(m => m.TenantKey).HasColumnName("tenant_key");
            entity.Property(m => m.IdempotencyKey).HasColumnName("idempotency_key");
            entity.Property(m => m.Timestamp).HasColumnName("timestamp");
            entity.Property(m => m.CreatedAt).HasColumnName("created_at");
            entity.Property(m => m.Data).HasColumnName("data");
            entity.Property(m => m.Context).HasColumnName("context");
            entity.Property(m => m.Attributes).HasColumnName("attributes");
            entity.Property(m => m.TraceParent).HasColumnName("trace_parent");

            // NULL keys never collide, so messages without a key are not constrained.
            entity.HasIndex(m => new { m.TenantKey, m.IdempotencyKey }).IsUnique().HasDatabaseName("ux_webhook_messages_idempotency");
            entity.HasIndex(m => m.CreatedAt).HasDatabaseName("ix_webhook_messages_created_at");
        });

        modelBuilder.Entity<DeliveryRow>(entity =>
        {
            entity.ToTable(TableNames.Deliveries, schema);
            entity.HasKey(d => d.Id);
            entity.Property(d => d.Id).HasColumnName("id");
            entity.Property(d => d.MessageId).HasColumnName("message_id");
            entity.Property(d => d.SubscriptionId).HasColumnName("subscription_id");
            entity.Property(d => d.TenantId).HasColumnName("tenant_id");
            entity.Property(d => d.EventType).HasColumnName("event_type");
            entity.Property(d => d.Trigger).HasColumnName("trigger");
            entity.Property(d => d.Status).HasColumnName("status");
            entity.Property(d => d.AttemptCount).HasColumnName("attempt_count");
            entity.Property(d => d.DueAt).HasColumnName("due_at");
            entity.Property(d => d.CreatedAt).HasColumnName("created_at");
            entity.Property(d => d.LastAttemptAt).HasColumnName("last_attempt_at");
            entity.Property(d => d.LastStatusCode).HasColumnName("last_status_code");
            entity.Property(d => d.CompletedAt).HasColumnName("completed_at");
            entity.Property(d => d.BatchKey).HasColumnName("batch_key");
            entity.Property(d => d.OrderKey).HasColumnName("order_key");
            entity.Property(d => d.HoldReason).HasColumnName("hold_reason");

            // Only columns that never change once the row is written are indexed: finishing a delivery then changes no
            // index, and PostgreSQL can update the row in place (see QueueRow). Retention goes by created_at for that reason.
            entity.HasIndex(d => new { d.CreatedAt, d.Id }).HasDatabaseName("ix_webhook_deliveries_created_at");
            entity.HasIndex(d => new { d.SubscriptionId, d.CreatedAt }).HasDatabaseName("ix_webhook_deliveries_subscription_id");
            entity.HasIndex(d => d.MessageId).HasDatabaseName("ix_webhook_deliveries_message_id");
        });

        modelBuilder.Entity<QueueRow>(entity =>
        {
            entity.ToTable(TableNames.Queue, schema);
            entity.HasKey(q => q.DeliveryId);
            entity.Property(q => q.DeliveryId).HasColumnName("delivery_id");
            entity.Property(q => q.AvailableAt).HasColumnName("available_at");
            entity.Property(q => q.BatchKey).HasColumnName("batch_key");
            entity.Property(q => q.LeaseId).HasColumnName("lease_id");
            entity.Property(q => q.LeaseOwner).HasColumnName("lease_owner");
            entity.Property(q => q.LeaseExpiresAt).HasColumnName("lease_expires_at");
            entity.Property(q => q.OrderKey).HasColumnName("order_key");
            entity.Property(q => q.OrderedAt).HasColumnName("ordered_at");

            // Due (or expired) work is a range scan of available_at.
            entity.HasIndex(q => new { q.AvailableAt, q.DeliveryId }).HasDatabaseName("ix_webhook_queue_available_at");
            entity.HasIndex(q => q.BatchKey).HasDatabaseName("ix_webhook_queue_batch_key").HasFilter("\"batch_key\" IS NOT NULL");

            // An ordered line's earlier rows: what keeps a later one from being leased.
            entity.HasIndex(q => new { q.OrderKey, q.OrderedAt, q.DeliveryId }).HasDatabaseName("ix_webhook_queue_order_key").HasFilter("\"order_key\" IS NOT NULL");
        });

        modelBuilder.Entity<AttemptRow>(entity =>
        {
            entity.ToTable(TableNames.Attempts, schema);
            entity.HasKey(a => a.Id);
            entity.Property(a => a.Id).HasColumnName("id");
            entity.Property(a => a.DeliveryId).HasColumnName("delivery_id");
            entity.Property(a => a.MessageId).HasColumnName("message_id");
            entity.Property(a => a.SubscriptionId).HasColumnName("subscription_id");
            entity.Property(a => a.TenantId).HasColumnName("tenant_id");
            entity.Property(a => a.EventType).HasColumnName("event_type");
            entity.Property(a => a.AttemptNumber).HasColumnName("attempt_number");
            entity.Property(a => a.Trigger).HasColumnName("trigger");
            entity.Property(a => a.StartedAt).HasColumnName("started_at");
            entity.Property(a => a.Duration).HasColumnName("duration");
            entity.Property(a => a.Succeeded).HasColumnName("succeeded");
            entity.Property(a => a.Request).HasColumnName("request");
            entity.Property(a => a.BodyDigest).HasColumnName("body_digest");
            entity.Property(a => a.Response).HasColumnName("response");
            entity.Property(a => a.Error).HasColumnName("error");
            entity.Property(a => a.Warnings).HasColumnName("warnings");
            entity.HasIndex(a => new { a.StartedAt, a.Id }).HasDatabaseName("ix_webhook_attempts_started_at");
            entity.HasIndex(a => new { a.SubscriptionId, a.StartedAt }).HasDatabaseName("ix_webhook_attempts_subscription_id");
            entity.HasIndex(a => a.DeliveryId).HasDatabaseName("ix_webhook_attempts_delivery_id");
            entity.HasIndex(a => a.MessageId).HasDatabaseName("ix_webhook_attempts_message_id");
        });

        // Request bodies, once per message and body: written with the attempts, read by key, removed with the message.
        modelBuilder.Entity<BodyRow>(entity =>
        {
            entity.ToTable(TableNames.Bodies, schema);
            entity.HasKey(b => new { b.MessageId, b.Digest });
            entity.Property(b => b.MessageId).HasColumnName("message_id");
            entity.Property(b => b.Digest).HasColumnName("digest").ValueGeneratedNever();
            entity.Property(b => b.Body).HasColumnName("body");
        });

        // One row per running instance, written every HeartbeatInterval: a handful of rows, never worth an index.
        modelBuilder.Entity<InstanceRow>(entity =>
        {
            entity.ToTable(TableNames.Instances, schema);
            entity.HasKey(i => i.Id);
            entity.Property(i => i.Id).HasColumnName("id");
            entity.Property(i => i.Incarnation).HasColumnName("incarnation");
            entity.Property(i => i.StartedAt).HasColumnName("started_at");
            entity.Property(i => i.HeartbeatAt).HasColumnName("heartbeat_at");
        });

        // Rate limits and quotas: read and written by key; retention deletes by expiry.
        modelBuilder.Entity<LimitRow>(entity =>
        {
            entity.ToTable(TableNames.Limits, schema);
            entity.HasKey(r => r.Id);
            entity.Property(r => r.Id).HasColumnName("id");
            entity.Property(r => r.Value).HasColumnName("value");
            entity.Property(r => r.Granted).HasColumnName("granted");
            entity.Property(r => r.ExpiresAt).HasColumnName("expires_at");
            entity.HasIndex(r => r.ExpiresAt).HasDatabaseName("ix_webhook_limits_expires_at");
        });

        // Pull subscriptions' unread deliveries, read by subscription in feed order.
        modelBuilder.Entity<FeedRow>(entity =>
        {
            entity.ToTable(TableNames.Feed, schema);
            entity.HasKey(f => f.Position);
            entity.Property(f => f.Position).HasColumnName("position").ValueGeneratedOnAdd();
            entity.Property(f => f.Transaction).HasColumnName("transaction_id");
            entity.Property(f => f.SubscriptionId).HasColumnName("subscription_id");
            entity.Property(f => f.DeliveryId).HasColumnName("delivery_id");
            entity.Property(f => f.MessageId).HasColumnName("message_id");
            entity.Property(f => f.CreatedAt).HasColumnName("created_at");
            entity.HasIndex(f => new { f.SubscriptionId, f.Transaction, f.Position }).HasDatabaseName("ix_webhook_feed_subscription_id");
            entity.HasIndex(f => f.DeliveryId).IsUnique().HasDatabaseName("ux_webhook_feed_delivery_id");
        });

        // The provider is not known to OnModelCreating, but Npgsql's conventions have annotated the model by then.
        if (modelBuilder.Model.GetAnnotations().Any(a => a.Name.StartsWith("Npgsql:", StringComparison.Ordinal)))
        {
            UseByteOrderOnPostgreSql(modelBuilder);
            LeaveRoomForInPlaceUpdates(modelBuilder);
            modelBuilder.Entity<FeedRow>().Property(f => f.Transaction).HasDefaultValueSql(FeedTransactionSql);
        }

        return modelBuilder;
    }

    /// <summary>The writing transaction's id as a number: the default of <see cref="FeedRow.Transaction"/> on PostgreSQL.</summary>
    internal const string FeedTransactionSql = "pg_current_xact_id()::text::bigint";

    /// <summary>
    /// On PostgreSQL, gives every text column of the webhook tables the "C" collation: ids and keys are ASCII and compare
    /// byte by byte, the ordinal order the library's paging uses, instead of through the database's locale (which may
    /// ignore the underscores in ids, and made every index insert and lookup measurably slower). SQLite compares bytes
    /// already.
    /// </summary>
    private static void UseByteOrderOnPostgreSql(ModelBuilder modelBuilder)
    {
        Type[] tables = [typeof(SubscriptionRow), typeof(SubscriptionEventTypeRow), typeof(MessageRow), typeof(DeliveryRow), typeof(QueueRow), typeof(AttemptRow), typeof(BodyRow), typeof(InstanceRow), typeof(LimitRow), typeof(FeedRow)];
        foreach (var type in tables)
        {
            foreach (var property in modelBuilder.Entity(type).Metadata.GetProperties().Where(p => p.ClrType == typeof(string)))
            {
                property.SetCollation("C");
            }
        }
    }

    /// <summary>
    /// On PostgreSQL, fills the pages of <c>webhook_deliveries</c> to 80 % only. A row is written at publish and updated
    /// when its delivery finishes; PostgreSQL updates a row in place, without new index entries (a HOT update), only if
    /// the new version fits on the same page. Rows of one page are published, and finish, at about the same time, so the
    /// room left is enough for their new versions while the old ones are pruned.
    /// </summary>
    /// <remarks>The annotation Npgsql's <c>HasStorageParameter</c> sets; this package references Npgsql, not its EF Core provider.</remarks>
    private static void LeaveRoomForInPlaceUpdates(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<DeliveryRow>().HasAnnotation("Npgsql:StorageParameter:fillfactor", 80);
}
