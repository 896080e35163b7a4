module sandboxes.dev/faultproxy

go 1.22
