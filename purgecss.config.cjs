// PurgeCSS for `make static`: keep the Bootstrap selectors that the portal's templates,
// crispy-forms' Bootstrap 5 templates, allauth's and the scripts name; drop the rest.
const path = require("path");
const { execFileSync } = require("child_process");

// The installed crispy-bootstrap5 templates (in the virtualenv), found by asking Python.
function crispyTemplates() {
  const python = process.env.PYTHON || path.join(".venv", "bin", "python");
  const dir = execFileSync(python, [
    "-c",
    "import crispy_bootstrap5, os; print(os.path.dirname(crispy_bootstrap5.__file__))",
  ])
    .toString()
    .trim();
  return path.join(dir, "templates", "**", "*.html");
}

module.exports = {
  content: [
    "templates/**/*.html",
    "*/templates/**/*.html",
    "static/js/**/*.js",
    "*/**/forms.py",
    "*/**/widgets.py",
    "*/templatetags/*.py",
    crispyTemplates(),
  ],
  css: ["var/build/bootstrap-portal.css"],
  output: "static/css/bootstrap.min.css",
  // Classes Bootstrap's own JavaScript adds (the navbar's collapse), and CSS variables.
  safelist: {
    standard: ["show", "collapsing", "collapse", "was-validated", "is-invalid", "is-valid"],
    // alert-{{ message.tags }} in partials/messages.html.
    greedy: [/^navbar-/, /^text-bg-/, /^alert-/],
  },
  variables: false,
  keyframes: true,
  fontFace: true,
};
