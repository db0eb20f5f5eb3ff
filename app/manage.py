#!/usr/bin/env python3
"""Django's command-line utility for administrative tasks."""

import sys

from django.core.management import execute_from_command_line

from hadjango.startup import load_settings_or_exit


def main() -> None:
    load_settings_or_exit()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
