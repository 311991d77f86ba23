"""The Campaigns page: campaigns table, contacts table, new/edit dialog."""
