"""Entry points over HTTP and Socket.IO."""
