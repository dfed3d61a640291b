namespace AmiVault.Auth;

/// <summary>Finds the credential behind an access key id: root keys, IAM users' keys, STS session keys.</summary>
internal interface ICredentialStore
{
    Credential? Find(string accessKeyId);
}
