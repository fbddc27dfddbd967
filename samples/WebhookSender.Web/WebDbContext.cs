using Microsoft.EntityFrameworkCore;

namespace WebhookSender.Web;

/// <summary>The app's own database, with the webhook tables in it (and the app's tables, in a real app).</summary>
internal sealed class WebDbContext(DbContextOptions<WebDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddWebhookSender();
}
