namespace AmiVault.Hosting;

/// <summary>
/// The server could not start because something outside its configuration is taken: its data folder or its port.
/// The message says what and what to do, in one line; `serve` prints it as it is.
/// </summary>
internal sealed class ServerStartException(string message, Exception? inner = null) : Exception(message, inner);
