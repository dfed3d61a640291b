namespace AmiVault.Configuration;

/// <summary>HTTPS on the server's one port: a certificate and its private key, both PEM files.</summary>
internal sealed class TlsOptions
{
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(CertificateFile) || !string.IsNullOrEmpty(KeyFile);
}
