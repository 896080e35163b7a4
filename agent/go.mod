module sandboxes.dev/agent

go 1.24
