namespace AmiVault.Tests.Support;

/// <summary>Tests that share the one Ceph RGW of a test run.</summary>
[CollectionDefinition(Name)]
public sealed class CephCollection : ICollectionFixture<CephRgwFixture>
{
    public const string Name = "Ceph RGW";
}
