//! Scripts: parsing the text and compiling it to a small program of steps.

mod parse;
mod program;

use std::path::Path;
use std::time::Duration;

use super::data::Message;
use super::error::StubError;
use super::pattern::MessagePattern;

pub(crate) use program::{Op, Program};

/// A parsed stub script, ready to be played by a [`StubServer`](super::StubServer).
///
/// ```
/// use quiver_test_support::stub::Script;
///
/// let script = Script::parse(r#"
/// !: BOLT 5.4
/// C: HELLO {"user_agent": "*", "...": ""}
/// S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
/// "#)?;
/// assert_eq!(script.bolt_version(), Some((5, 4)));
/// # Ok::<(), quiver_test_support::stub::StubError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Script {
    pub(crate) name: String,
    pub(crate) config: Config,
    pub(crate) program: Program,
    lines: Vec<String>,
}

/// The `!:` directives.
#[derive(Debug, Clone, Default)]
pub(crate) struct Config {
    pub(crate) bolt: Option<(u8, u8)>,
    /// `Some`: answer a manifest-style handshake, offering these versions
    /// (the `BOLT` version when empty).
    pub(crate) manifest: Option<Vec<(u8, u8)>>,
    pub(crate) capabilities: u64,
    pub(crate) handshake_reply: Option<Vec<u8>>,
    /// What the client must answer to `handshake_reply` (manifest style).
    pub(crate) handshake_response: Option<Vec<u8>>,
    pub(crate) handshake_delay: Option<Duration>,
    pub(crate) auto: Vec<u8>,
    pub(crate) connections: Connections,
    pub(crate) client_timeout: Option<Duration>,
}

/// How many connections one script serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connections {
    Exactly(usize),
    Any,
}

impl Default for Connections {
    fn default() -> Self {
        Connections::Exactly(1)
    }
}

/// What the client must do at a `C:` line.
#[derive(Debug, Clone)]
pub(crate) enum ClientStep {
    Message(MessagePattern),
    /// `C: <EOF>`: the client closes the connection.
    Eof,
}

/// What the server does at an `S:` line.
#[derive(Debug, Clone)]
pub(crate) enum ServerStep {
    Message(Message),
    Exit,
    Kill,
    Sleep(Duration),
    Raw(Vec<u8>),
    Noop,
}

/// The script as a tree.
#[derive(Debug)]
pub(crate) enum Item {
    Client {
        line: usize,
        step: ClientStep,
    },
    Server {
        line: usize,
        step: ServerStep,
    },
    Alt {
        line: usize,
        branches: Vec<Vec<Item>>,
    },
    Opt {
        line: usize,
        body: Vec<Item>,
    },
    Star {
        line: usize,
        body: Vec<Item>,
    },
    Plus {
        line: usize,
        body: Vec<Item>,
    },
}

impl Script {
    /// Parses a script from its text.
    ///
    /// # Errors
    /// [`StubError::Parse`] naming the line.
    pub fn parse(text: &str) -> Result<Script, StubError> {
        Script::parse_named("script", text)
    }

    /// Parses a script after replacing each `#NAME#` with its value, for
    /// what a test only knows at run time (addresses, versions).
    ///
    /// ```
    /// use quiver_test_support::stub::Script;
    ///
    /// let script = Script::parse_with_vars(
    ///     "!: BOLT #VERSION#\nC: HELLO {\"routing\": {\"address\": \"#ADDR#\"}}\n",
    ///     &[("VERSION", "4.4"), ("ADDR", "127.0.0.1:7687")],
    /// )?;
    /// assert_eq!(script.bolt_version(), Some((4, 4)));
    /// # Ok::<(), quiver_test_support::stub::StubError>(())
    /// ```
    ///
    /// # Errors
    /// [`StubError::Parse`] naming the line.
    pub fn parse_with_vars(text: &str, vars: &[(&str, &str)]) -> Result<Script, StubError> {
        Script::parse(&substitute(text, vars))
    }

    /// Reads and parses a script file.
    ///
    /// # Errors
    /// [`StubError::Io`] when the file cannot be read, [`StubError::Parse`]
    /// naming the file and line.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Script, StubError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| StubError::Io {
            context: format!("reading {}", path.display()),
            source,
        })?;
        Script::parse_named(&path.display().to_string(), &text)
    }

    fn parse_named(name: &str, text: &str) -> Result<Script, StubError> {
        let error = |(line, message): (usize, String)| StubError::Parse {
            script: name.to_owned(),
            line,
            message,
        };
        let (config, items) = parse::parse(text).map_err(error)?;
        let program = Program::compile(&items).map_err(error)?;
        Ok(Script {
            name: name.to_owned(),
            config,
            program,
            lines: text.lines().map(|l| l.trim().to_owned()).collect(),
        })
    }

    /// Renames the script (errors and reports name it; parsed scripts are
    /// called `script`, files by their path).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Script {
        self.name = name.into();
        self
    }

    /// The `C:` and `S:` lines of the script (1-based), in order.
    pub fn step_lines(&self) -> Vec<usize> {
        let mut lines: Vec<usize> = self
            .program
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Client { line, .. } | Op::Server { line, .. } => Some(*line),
                _ => None,
            })
            .collect();
        lines.sort_unstable();
        lines.dedup();
        lines
    }

    /// The Bolt version the script accepts (`!: BOLT`).
    pub fn bolt_version(&self) -> Option<(u8, u8)> {
        self.config.bolt
    }

    /// The script's name: its file path, or `script`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The trimmed text of a 1-based line, for messages.
    pub(crate) fn line_text(&self, line: usize) -> &str {
        line.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .map_or("", String::as_str)
    }

    /// `line 12 \`C: PULL {...}\``, for messages.
    pub(crate) fn describe_line(&self, line: usize) -> String {
        format!("line {line} `{}`", self.line_text(line))
    }
}

fn substitute(text: &str, vars: &[(&str, &str)]) -> String {
    let mut text = text.to_owned();
    for (name, value) in vars {
        text = text.replace(&format!("#{name}#"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(text: &str) -> (usize, String) {
        match Script::parse(text) {
            Err(StubError::Parse { line, message, .. }) => (line, message),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn parses_the_contract_example() {
        let script = Script::parse(
            r#"
!: BOLT 5.4                      # version the server accepts
!: AUTO RESET
C: HELLO {"user_agent": "*", "bolt_agent": {"product": "*"}}
S: SUCCESS {"server": "Neo4j/5.20.0", "connection_id": "bolt-1"}
C: RUN "RETURN 1 AS x" {} {}
C: PULL {"n": 1000}
S: SUCCESS {"fields": ["x"]}
   RECORD [1]
   SUCCESS {"type": "r", "bookmark": "bm1"}
{?
    C: GOODBYE
?}
S: <EXIT>
"#,
        )
        .unwrap();
        assert_eq!(script.bolt_version(), Some((5, 4)));
        assert_eq!(script.config.auto, vec![0x0F]);
        assert_eq!(script.line_text(9), "RECORD [1]");
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse_err("!: BOLT 5.4\nC: NOPE {}").0, 2);
        assert_eq!(parse_err("!: BOLT 5.4\nC: RUN {\"a\": }").0, 2);
        assert_eq!(parse_err("!: BOLT 5.4\n{?\nC: RESET\n*}").0, 4);
        assert_eq!(parse_err("!: BOLT 5.4\n{?\nC: RESET\n").0, 2);
        assert_eq!(parse_err("!: BOLT 5.4\n!: FOO").0, 2);
        assert_eq!(parse_err("!: BOLT 5.4\nS: RECORD *").0, 2);
        assert_eq!(parse_err("!: BOLT 5.4\nS: <DANCE>").0, 2);
        assert_eq!(parse_err("!: BOLT 5.4\n   RECORD []").0, 2);
        assert!(parse_err("C: RESET").1.contains("BOLT"));
        let sixteen = vec!["1"; 16].join(", ");
        let (line, message) = parse_err(&format!(
            "!: BOLT 5.4\nS: RECORD [{{\"@struct\": [1, {sixteen}]}}]"
        ));
        assert_eq!(line, 2);
        assert!(message.contains("at most 15 fields"), "{message}");
    }

    /// Mutated scripts never panic the parser (a tiny deterministic fuzz).
    #[test]
    fn mangled_scripts_do_not_panic() {
        let base = "!: BOLT 5.4\n!: AUTO RESET\nC: HELLO {\"a?\": [1, \"*\"], \"...\": \"\"}\n\
                    S: SUCCESS {\"#\": \"00\"} # c\n{{\nC: RUN * \nS: <SLEEP 0.1>\n----\n\
                    C: PULL {\"@node\": [1]}\n}}\n{*\nC: RESET\n*}\nS: <RAW> 00 01\n";
        let pieces = [
            "{", "}", "\"", "*", "?}", "{?", "----", "\n", " ", "<", ">", "#", "é", "!:",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let mut text: Vec<char> = base.chars().collect();
            for _ in 0..(next() % 6 + 1) {
                let at = (next() as usize) % (text.len() + 1);
                match next() % 3 {
                    0 if at < text.len() => {
                        text.remove(at);
                    }
                    _ => {
                        let piece = pieces[(next() as usize) % pieces.len()];
                        for (i, c) in piece.chars().enumerate() {
                            text.insert(at + i, c);
                        }
                    }
                }
            }
            let text: String = text.into_iter().collect();
            let _ = Script::parse(&text);
        }
    }

    #[test]
    fn ambiguous_block_followed_by_server_lines_is_rejected() {
        let (line, message) = parse_err("!: BOLT 5.4\n{?\nC: RESET\n?}\nS: SUCCESS {}");
        assert_eq!(line, 2, "{message}");
        let (line, _) = parse_err("!: BOLT 5.4\n{*\nS: SUCCESS {}\n*}");
        assert_eq!(line, 2);
        // An optional block before `S: <EXIT>` is fine: EXIT is an end point.
        assert!(Script::parse("!: BOLT 5.4\n{?\nC: GOODBYE\n?}\nS: <EXIT>").is_ok());
    }
}
