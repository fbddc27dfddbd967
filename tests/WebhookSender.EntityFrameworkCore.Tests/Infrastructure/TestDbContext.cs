using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>A host application's context: its own table plus the webhook tables.</summary>
public sealed class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>(order =>
        {
            order.ToTable("orders");
            order.HasKey(o => o.Id);
        });
        modelBuilder.AddWebhookSender();
    }
}

/// <summary>The host's business row, saved in the same unit of work as its webhook.</summary>
public sealed class Order
{
    public int Id { get; set; }

    public string Status { get; set; } = "new";
}
