"""The `reflector` command: its subcommands are in `reflector/commands/`, a platform's under
its slug."""

import os

import click

from reflector.commands import people, records, serving
from reflector.commands.services import Services
from reflector.video_platforms.registry import PLATFORMS

OWNER_ONLY = 0o077


class _Commands(click.Group):
    """Lists each command with its whole first sentence, wrapped, where click would cut it
    to the terminal's width."""

    group_class = type  # subgroups list theirs the same way

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_Commands)
@click.option("--debug", is_flag=True, help="Show tracebacks of start-up errors.")
@click.pass_context
def main(context: click.Context, debug: bool) -> None:
    """Reflector: persistent meeting rooms on any video platform."""
    # What this service writes (the database with password hashes and webhook secrets,
    # recordings, transcripts, models) is its own user's alone.
    os.umask(OWNER_ONLY)
    context.obj = Services()


for _command in (serving.serve, serving.worker, serving.beat, serving.migrate, records.platforms):
    main.add_command(_command)
for _group in (people.api_key, people.users_group, records.rooms_group, records.retention_group):
    main.add_command(_group)
main.add_command(records.transcripts_group)

for _spec in PLATFORMS:
    if _spec.commands is not None:
        main.add_command(_spec.commands, _spec.slug)
