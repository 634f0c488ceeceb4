"""gRPC plumbing shared by every service: auth, audit, error mapping, server and client set-up."""
