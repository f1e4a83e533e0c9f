"""How the content commands print problems and findings: `path:line: message`, causes first."""

from faq.quality import ERROR


def write_problems(command, problems, outcome):
    """Print each problem to stderr; files skipped because of another file's problem come after the causes."""
    causes = [problem for problem in problems if not problem.skipped]
    skipped = [problem for problem in problems if problem.skipped]
    for problem in causes:
        command.stderr.write(str(problem))
    if skipped:
        command.stderr.write(f"Skipped because of the problems above ({len(skipped)}):")
        for problem in skipped:
            command.stderr.write(f"  {problem}")
    command.stderr.write(command.style.ERROR(f"{len(causes)} problem(s) found; {outcome}"))


def write_findings(command, findings):
    """Print warnings to stdout and errors to stderr, one `path:line: level: message` each; return the errors."""
    errors = [f for f in findings if f.level == ERROR]
    for finding in findings:
        if finding.level == ERROR:
            command.stderr.write(str(finding))
        else:
            command.stdout.write(command.style.WARNING(str(finding)))
    return errors
