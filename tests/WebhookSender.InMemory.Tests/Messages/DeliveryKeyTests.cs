namespace WebhookSender.InMemory.Tests.Messages;

public sealed class DeliveryKeyTests
{
    [Theory]
    [InlineData("dlv_0190a1b2c3d4e5f60718293a4b5c6d7e")] // made by the library: kept as a Guid
    [InlineData("dlv_0190A1B2C3D4E5F60718293A4B5C6D7E")] // capitals: another string
    [InlineData("dlv_1")]
    [InlineData("dlv_0190a1b2c3d4e5f60718293a4b5c6d7")] // one digit short
    [InlineData("xyz_0190a1b2c3d4e5f60718293a4b5c6d7e")]
    [InlineData("dlv_0190a1b2-3d4-e5f6-0718-293a4b5c6d")]
    [InlineData("")]
    public void A_key_gives_back_its_id(string id)
    {
        var key = DeliveryKey.From(id);

        Assert.Equal(id, key.ToString());
        Assert.Equal(key, DeliveryKey.From(key.ToString()));
        Assert.Equal(key.GetHashCode(), DeliveryKey.From(key.ToString()).GetHashCode());
    }

    [Fact]
    public void Keys_differ_when_their_ids_differ_in_case()
    {
        var lower = DeliveryKey.From("dlv_0190a1b2c3d4e5f60718293a4b5c6d7e");
        var upper = DeliveryKey.From("dlv_0190A1B2C3D4E5F60718293A4B5C6D7E");

        Assert.NotEqual(lower, upper);
        Assert.Equal(lower, new DeliveryKey(Guid.ParseExact("0190a1b2c3d4e5f60718293a4b5c6d7e", "N")));
    }

    [Fact]
    public void Keys_sort_like_their_ids_compared_ordinally()
    {
        var random = new Random(7);
        var ids = new List<string> { "dlv_1", "dlv_", "dlv_zz", "a", "dlv_0", "dlv_ffffffffffffffffffffffffffffffff", "dlv_00000000000000000000000000000000" };
        for (int i = 0; i < 200; i++)
        {
            var guid = i % 2 == 0 ? Guid.CreateVersion7(DateTimeOffset.UnixEpoch.AddDays(random.Next(30_000))) : new Guid(random.GetItems<byte>([0, 1, 0x7f, 0x80, 0xfe, 0xff, 42], 16));
            ids.Add("dlv_" + guid.ToString("N"));
            ids.Add("dlv_" + guid.ToString("N").ToUpperInvariant());
        }

        var byKey = ids.Select(DeliveryKey.From).Order().Select(k => k.ToString());

        Assert.Equal(ids.Order(StringComparer.Ordinal), byKey);
    }
}
