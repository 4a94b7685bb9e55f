namespace CircuitBreaker.Local.DynamoDb;

/// <summary>The DynamoDB given with <c>--dynamodb-endpoint</c> cannot be used; the message is one line naming it.</summary>
internal sealed class DynamoDbEndpointUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
