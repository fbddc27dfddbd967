using Microsoft.EntityFrameworkCore;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>A row of <see cref="BacklogQuery"/>: the counts and the earliest available time (UTC ticks).</summary>
internal sealed record BacklogCounts(int Due, int InFlight, int Waiting, long? EarliestAvailableAt);
