"""The client record in the office (/office/clients/<client_id>)."""
