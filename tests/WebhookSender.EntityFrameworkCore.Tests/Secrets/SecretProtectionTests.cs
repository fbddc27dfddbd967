using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WebhookSender.EntityFrameworkCore.Tests.Infrastructure;
using WebhookSender.Testing;

namespace WebhookSender.EntityFrameworkCore.Tests.Secrets;

/// <summary>Subscriptions stored protected: unreadable at rest, and unusable (loudly) without the keys.</summary>
public sealed class SecretProtectionTests : IDisposable
{
    private readonly string _keys = Directory.CreateTempSubdirectory("webhooksender-keys-").FullName;
    private readonly string _otherKeys = Directory.CreateTempSubdirectory("webhooksender-keys-").FullName;

    [Fact]
    public async Task Secrets_are_protected_at_rest_and_signing_still_works()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var receiver = await WebhookTestReceiver.StartAsync();
        await using var host = await EfTestHost.StartAsync(database, build: Protect(_keys));
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = receiver.UrlFor("/hooks"),
            Name = "Fulfilment",
            Signatures = WebhookSignatures.V1 | WebhookSignatures.V1a,
        });
        receiver.UseSecret("/hooks", created.Secret);

        await host.Publisher.PublishAsync(new WebhookEvent("order.created", new { id = 1 }));
        var received = await receiver.WaitForAsync(all => all.Count == 1, TimeSpan.FromSeconds(10));

        Assert.True(received[0].SignatureValid);
        await using var raw = database.NewContext();
        var row = await raw.Set<SubscriptionRow>().SingleAsync();
        Assert.True(row.IsProtected);
        Assert.DoesNotContain(created.Secret["whsec_".Length..], row.Document, StringComparison.Ordinal);
        Assert.DoesNotContain("Fulfilment", row.Document, StringComparison.Ordinal);

        // The Ed25519 private key is in the protected document too, and the key still signs after the round trip.
        string privateKey = (await host.Store.GetSubscriptionAsync(created.Subscription.Id, default))!.SigningKeys.Single().PrivateKey;
        Assert.DoesNotContain(privateKey["whsk_".Length..], row.Document, StringComparison.Ordinal);
        Assert.Contains("v1a,", received[0].Headers["webhook-signature"], StringComparison.Ordinal);
        Assert.Equal(created.Secret, await host.Subscriptions.GetSecretAsync(created.Subscription.Id));
    }

    [Fact]
    public async Task A_client_certificate_and_a_proxy_password_are_protected_at_rest_and_read_back_whole()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        await using var host = await EfTestHost.StartAsync(database, build: Protect(_keys), configure: o => o.PingOnCreate = false);
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=shop-client", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string keyPem = key.ExportPkcs8PrivateKeyPem();
        var created = await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest
        {
            Url = new Uri("https://127.0.0.1:9/hooks"),
            ClientCertificate = WebhookClientCertificate.FromPem(certificate.ExportCertificatePem(), keyPem),
            TrustedRoots = [certificate.ExportCertificatePem()],
            Proxy = WebhookProxy.Through(new Uri("http://127.0.0.1:9"), "shop", "pr0xy-pa55"),
        });

        await using var raw = database.NewContext();
        var row = await raw.Set<SubscriptionRow>().SingleAsync();
        string keyBody = keyPem.Split('\n')[1];
        Assert.True(row.IsProtected);
        Assert.DoesNotContain(keyBody, row.Document, StringComparison.Ordinal);
        Assert.DoesNotContain("pr0xy-pa55", row.Document, StringComparison.Ordinal);

        var stored = (await host.Store.GetSubscriptionAsync(created.Subscription.Id, default))!;
        Assert.Contains(keyBody, stored.ClientCertificate!.Certificate, StringComparison.Ordinal);
        Assert.Equal(("CN=shop-client", "pr0xy-pa55", new Uri("http://127.0.0.1:9")), (stored.ClientCertificate.Subject, stored.Proxy!.Password, stored.Proxy.Url));
        Assert.Single(stored.TrustedRoots);
    }

    [Fact]
    public async Task Without_the_keys_a_subscription_fails_clearly()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        string id;
        await using (var host = await EfTestHost.StartAsync(database, build: Protect(_keys)))
        {
            id = (await host.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = new Uri("https://receiver.example/hooks") })).Subscription.Id;
        }

        // Another key ring (keys not persisted or not shared): the document cannot be read, and nothing pretends it can.
        await using var stranger = await EfTestHost.StartAsync(database, build: Protect(_otherKeys));
        var read = await Assert.ThrowsAsync<InvalidOperationException>(() => stranger.Subscriptions.GetAsync(id));
        var publish = await Assert.ThrowsAsync<InvalidOperationException>(() => stranger.Publisher.PublishAsync(new WebhookEvent("order.created", null)));

        Assert.Contains($"subscription '{id}' cannot be unprotected", read.Message, StringComparison.Ordinal);
        Assert.Contains("key ring", read.Message, StringComparison.Ordinal);
        Assert.Equal(read.Message.Split(':')[0], publish.Message.Split(':')[0]);

        // A host without protection says what to configure.
        await using var plain = await EfTestHost.StartAsync(database);
        var unprotected = await Assert.ThrowsAsync<InvalidOperationException>(() => plain.Subscriptions.GetAsync(id));
        Assert.Contains("ProtectStoredSecrets()", unprotected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_documents_stay_readable_after_protection_is_turned_on_and_are_protected_on_their_next_change()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();
        string id;
        await using (var plain = await EfTestHost.StartAsync(database))
        {
            id = (await plain.Subscriptions.CreateAsync(new WebhookSubscriptionRequest { Url = new Uri("https://receiver.example/hooks") })).Subscription.Id;
        }

        await using var host = await EfTestHost.StartAsync(database, build: Protect(_keys));
        Assert.NotNull(await host.Subscriptions.GetAsync(id));
        await host.Subscriptions.DisableAsync(id, "maintenance");

        await using var raw = database.NewContext();
        Assert.True((await raw.Set<SubscriptionRow>().SingleAsync()).IsProtected);
        Assert.False((await host.Subscriptions.GetAsync(id))!.IsActive);
    }

    [Fact]
    public async Task Protection_without_data_protection_fails_start_up()
    {
        await using var database = await TestDatabase.CreateSqliteAsync();

        // Whichever comes first, the options check or the hosted services being built, says what to call.
        var error = await Assert.ThrowsAnyAsync<Exception>(() => EfTestHost.StartAsync(database, build: webhooks => webhooks.ProtectStoredSecrets()));
        Assert.True(error is OptionsValidationException or InvalidOperationException, error.ToString());

        Assert.Contains("services.AddDataProtection()", error.Message, StringComparison.Ordinal);
    }

    private static Action<IWebhooksBuilder> Protect(string keyDirectory) => webhooks =>
    {
        webhooks.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keyDirectory)).SetApplicationName("webhooksender-tests");
        webhooks.ProtectStoredSecrets();
    };

    public void Dispose()
    {
        Directory.Delete(_keys, recursive: true);
        Directory.Delete(_otherKeys, recursive: true);
    }
}
