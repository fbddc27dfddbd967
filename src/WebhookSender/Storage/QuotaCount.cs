namespace WebhookSender.Storage;

/// <summary>What <see cref="IDeliveryLimitStore.TakeQuotaAsync"/> counted.</summary>
/// <param name="Granted">Requests counted, from 0 to the number asked for.</param>
/// <param name="Used">The window's count after them.</param>
public readonly record struct QuotaCount(int Granted, long Used);
