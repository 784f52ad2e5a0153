"""Views: filters, sorts, and (later) view types, compiled against the field type protocol."""
