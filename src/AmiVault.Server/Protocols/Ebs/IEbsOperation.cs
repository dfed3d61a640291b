namespace AmiVault.Protocols.Ebs;

/// <summary>One EBS direct API operation; registered in DI and picked by <see cref="EbsEndpoint"/> from the route.</summary>
internal interface IEbsOperation
{
    EbsOperation Operation { get; }

    Task ExecuteAsync(EbsCall call);
}
