using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace WebhookSender.EntityFrameworkCore;

/// <summary>The database products the store runs on.</summary>
internal enum StoreProvider
{
    PostgreSql,
    Sqlite,
}
