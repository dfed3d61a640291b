using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiVault.Configuration;

namespace AmiVault.Hosting;

/// <summary>
/// What the server may expose where: the certificate it serves HTTPS with, and the refusals that keep keys and image
/// data off the network by accident (generated development keys anywhere but loopback; plain HTTP off loopback
/// unless explicitly allowed). Checked before anything listens.
/// </summary>
internal static class ListenerSecurity
{
    public static void CheckExposure(AmiVaultOptions options, IPAddress address, bool generatedAccount)
    {
        if (IPAddress.IsLoopback(address))
        {
            return;
        }

        if (generatedAccount)
        {
            throw new InvalidOperationException(
                $"Refusing to listen on {options.Listen} with generated development keys. Configure accounts (AMIVAULT_ACCOUNT_ID, AMIVAULT_ACCESS_KEY_ID, AMIVAULT_SECRET_ACCESS_KEY, or Accounts in the config file) or listen on 127.0.0.1.");
        }

        if (!options.Tls.Enabled && !options.AllowInsecureListen)
        {
            throw new InvalidOperationException(
                $"Refusing to listen on {options.Listen} without TLS: image data and signed requests would cross the network in the clear. Give --tls-cert and --tls-key (Tls:CertificateFile, Tls:KeyFile), or --allow-insecure-listen when a TLS-terminating proxy stands in front.");
        }
    }

    /// <summary>The certificate to serve, or null for plain HTTP.</summary>
    public static X509Certificate2? LoadCertificate(TlsOptions tls)
    {
        if (!tls.Enabled)
        {
            return null;
        }

        if (string.IsNullOrEmpty(tls.CertificateFile) || string.IsNullOrEmpty(tls.KeyFile))
        {
            throw new InvalidOperationException("TLS needs both a certificate and its private key: give --tls-cert and --tls-key (PEM files).");
        }

        foreach (var file in new[] { tls.CertificateFile, tls.KeyFile })
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"TLS file {file} does not exist.");
            }
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(tls.CertificateFile, tls.KeyFile);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"Could not load the TLS certificate {tls.CertificateFile} with the key {tls.KeyFile}: {e.Message}", e);
        }
    }
}
