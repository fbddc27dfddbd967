using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace WebhookSender.Benchmarks;

/// <summary>The Standard Webhooks signature over a 1 KiB and a 64 KiB body, with one secret and during a rotation (three).</summary>
[MemoryDiagnoser]
public class SigningBenchmarks
{
    private IWebhookSigner _signer = null!;
    private byte[] _body = null!;
    private WebhookSecret[] _secrets = null!;
    private readonly DateTimeOffset _timestamp = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Params(1024, 64 * 1024)]
    public int BodyBytes { get; set; }

    [Params(1, 3)]
    public int Secrets { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // The signer the library registers, resolved the way the dispatcher gets it.
        using var services = new ServiceCollection().AddWebhooks().Services.BuildServiceProvider();
        _signer = services.GetRequiredService<IWebhookSigner>();
        _body = new byte[BodyBytes];
        new Random(42).NextBytes(_body);
        _secrets = [.. Enumerable.Range(0, Secrets).Select(_ => new WebhookSecret { Value = WebhookSecret.Generate(), CreatedAt = _timestamp })];
    }

    [Benchmark]
    public string Sign() => _signer.Sign("msg_0193a8f1c2d47e9a8b6c5d4e3f2a1b0c", _timestamp, _body, _secrets);
}
