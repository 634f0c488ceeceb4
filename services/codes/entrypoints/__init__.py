"""The code service's entry points: the gRPC servicer and the event consumers."""
