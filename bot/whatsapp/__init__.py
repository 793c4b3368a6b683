"""The WhatsApp Cloud API channel: its client, rendering and delivery of the outbox (outbound) and its webhook,
inbox and runtime (inbound)."""
