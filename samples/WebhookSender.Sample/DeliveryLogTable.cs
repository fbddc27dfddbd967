namespace WebhookSender.Sample;

/// <summary>Prints the delivery log as a table.</summary>
internal static class DeliveryLogTable
{
    public static void Print(IReadOnlyList<DeliveryAttempt> attempts, IReadOnlyDictionary<string, string> names)
    {
        string[] header = ["Time", "Subscription", "Event", "Message", "Try", "Trigger", "Status", "Result", "ms"];
        var rows = attempts.Select(a => new[]
        {
            a.StartedAt.ToLocalTime().ToString("HH:mm:ss.fff"),
            names.GetValueOrDefault(a.SubscriptionId, a.SubscriptionId),
            a.EventType,
            "msg_…" + a.MessageId[^6..],
            a.AttemptNumber.ToString(),
            a.Trigger.ToString().ToLowerInvariant(),
            a.Response?.StatusCode.ToString() ?? "-",
            a.Succeeded ? "delivered" : "failed",
            a.Duration.TotalMilliseconds.ToString("0.0"),
        }).ToList();

        int[] widths = [.. header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max())];
        Console.WriteLine();
        Console.WriteLine($"Delivery log ({attempts.Count} attempts)");
        Console.WriteLine(Format(header, widths));
        Console.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            Console.WriteLine(Format(row, widths));
        }
    }

    private static string Format(string[] cells, int[] widths) => string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i])));
}
