"""click's own words, listed so Babel extracts them into our catalogue (i18n._patch_click
makes click look them up there). Never imported at run time; the spellings are click 8's."""

from domain.messages import N_


def Np_(singular: str, plural: str) -> tuple[str, str]:
    return singular, plural


CLICK_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Missing command."),
    N_("Aborted!"),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("required"),
    N_("(dynamic)"),
    N_("deprecated"),
    N_("Could not open file {filename!r}: {message}"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("Option {name!r} does not take a value."),
    N_("Value must be an iterable."),
    N_("%(prog)s, version %(version)s"),
    Np_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    Np_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    Np_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    Np_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    Np_("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."),
)
