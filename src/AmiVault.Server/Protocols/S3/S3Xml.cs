using AmiVault.ObjectStore;

namespace AmiVault.Protocols.S3;

/// <summary>Writes S3 REST-XML answers in the S3 namespace.</summary>
internal sealed class S3Xml(string rootElement) : XmlAnswer<S3Xml>(rootElement, Namespace)
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    /// <summary>Text content of the current element (GetBucketLocation's answer is a bare value).</summary>
    public S3Xml Content(string value)
    {
        Writer.WriteString(value);
        return this;
    }

    public S3Xml Attribute(string prefix, string name, string ns, string value)
    {
        Writer.WriteAttributeString(prefix, name, ns, value);
        return this;
    }

    /// <summary>
    /// A flexible checksum as result elements: ChecksumCRC32 (…SHA256) with the value as answered on GET (a composite
    /// one with its -N), then ChecksumType when <paramref name="withType"/>; nothing when there is none.
    /// </summary>
    public S3Xml Checksum(ObjectChecksum? checksum, bool withType)
    {
        if (checksum is not null)
        {
            Value("Checksum" + checksum.Algorithm, checksum.WireValue);
            if (withType)
            {
                Value("ChecksumType", checksum.Type);
            }
        }

        return this;
    }

    /// <summary>The Owner / Initiator element: S3 shows the account's canonical id; here that is the account id.</summary>
    public S3Xml Principal(string element, string accountId) =>
        Start(element).Value("ID", accountId).Value("DisplayName", accountId).End();
}
