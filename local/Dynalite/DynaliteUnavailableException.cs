namespace CircuitBreaker.Local.Dynalite;

/// <summary>Dynalite cannot run here; the message names the command that fixes it.</summary>
internal sealed class DynaliteUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
