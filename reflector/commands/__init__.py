"""The `reflector` command's subcommands, by what they work on."""
