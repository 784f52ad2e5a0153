"""Services: the only code that writes. One function per use case, each run in one transaction."""
