using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/WebhookSender.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
