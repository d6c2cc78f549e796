//! A script compiled to a flat program: steps, splits and jumps.
//!
//! Blocks become `Split`s (try these targets in order) and `Jump`s. Playing
//! the script means following the program; at a split, the next client
//! message decides which way to go.

use super::parse::ParseError;
use super::{ClientStep, Item, ServerStep};

/// One instruction.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Client { line: usize, step: ClientStep },
    Server { line: usize, step: ServerStep },
    Split { line: usize, targets: Vec<usize> },
    Jump(usize),
    End,
}

/// The compiled script.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    pub(crate) ops: Vec<Op>,
}

impl Program {
    pub(crate) fn compile(items: &[Item]) -> Result<Program, ParseError> {
        let mut ops = Vec::new();
        emit(items, &mut ops);
        ops.push(Op::End);
        let program = Program { ops };
        program.check()?;
        Ok(program)
    }

    /// The steps reachable from `pc` through splits and jumps, in the
    /// order they are tried: client steps, server steps and `End`.
    pub(crate) fn closure(&self, pc: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut visited = vec![false; self.ops.len()];
        self.walk(pc, &mut visited, &mut out);
        out
    }

    fn walk(&self, pc: usize, visited: &mut [bool], out: &mut Vec<usize>) {
        match visited.get_mut(pc) {
            Some(seen) if !*seen => *seen = true,
            _ => return,
        }
        match self.ops.get(pc) {
            Some(Op::Split { targets, .. }) => {
                for &t in targets {
                    self.walk(t, visited, out);
                }
            }
            Some(Op::Jump(t)) => self.walk(*t, visited, out),
            Some(_) => out.push(pc),
            None => {}
        }
    }

    /// The first `C:` line the script needs from `pc` on before it can end,
    /// or `None` when some way from `pc` reaches the end, `S: <EXIT>` or
    /// `S: <KILL>` with server steps only.
    pub(crate) fn client_line_required(&self, pc: usize) -> Option<usize> {
        let mut visited = vec![false; self.ops.len()];
        let mut stack = vec![pc];
        let mut first_client = None;
        while let Some(at) = stack.pop() {
            match visited.get_mut(at) {
                Some(seen) if !*seen => *seen = true,
                _ => continue,
            }
            match self.op(at) {
                Op::End
                | Op::Server {
                    step: ServerStep::Exit | ServerStep::Kill,
                    ..
                } => return None,
                Op::Server { .. } => stack.push(at + 1),
                Op::Jump(target) => stack.push(*target),
                Op::Split { targets, .. } => stack.extend(targets.iter().rev()),
                Op::Client { line, .. } => {
                    first_client = first_client.or(Some(*line));
                }
            }
        }
        first_client
    }

    pub(crate) fn op(&self, pc: usize) -> &Op {
        self.ops.get(pc).unwrap_or(&Op::End)
    }

    /// Rejects scripts where the server would have to guess: a point with
    /// several ways on, one of which starts with a server step.
    fn check(&self) -> Result<(), ParseError> {
        for (pc, op) in self.ops.iter().enumerate() {
            let Op::Split { line, .. } = op else { continue };
            let reachable = self.closure(pc);
            if reachable.len() < 2 {
                continue;
            }
            // `S: <EXIT>` is an end point like the end of the script: the
            // server waits for the client, and exits when it closes.
            if let Some(server_line) = reachable.iter().find_map(|&i| match self.ops.get(i) {
                Some(Op::Server {
                    step: ServerStep::Exit,
                    ..
                }) => None,
                Some(Op::Server { line, .. }) => Some(*line),
                _ => None,
            }) {
                return Err((
                    *line,
                    format!(
                        "ambiguous block: the server cannot tell whether to play `S:` line \
                         {server_line} or wait for the client; every block must start with a \
                         `C:` line, and a block that may be skipped must be followed by a \
                         `C:` line, `S: <EXIT>` or the end of the script"
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn emit(items: &[Item], ops: &mut Vec<Op>) {
    for item in items {
        match item {
            Item::Client { line, step } => ops.push(Op::Client {
                line: *line,
                step: step.clone(),
            }),
            Item::Server { line, step } => ops.push(Op::Server {
                line: *line,
                step: step.clone(),
            }),
            Item::Alt { line, branches } => {
                let split = ops.len();
                ops.push(Op::Split {
                    line: *line,
                    targets: Vec::new(),
                });
                let mut targets = Vec::new();
                let mut jumps = Vec::new();
                for branch in branches {
                    targets.push(ops.len());
                    emit(branch, ops);
                    jumps.push(ops.len());
                    ops.push(Op::Jump(0));
                }
                let end = ops.len();
                for j in jumps {
                    if let Some(op) = ops.get_mut(j) {
                        *op = Op::Jump(end);
                    }
                }
                set_targets(ops, split, targets);
            }
            Item::Opt { line, body } => {
                let split = ops.len();
                ops.push(Op::Split {
                    line: *line,
                    targets: Vec::new(),
                });
                emit(body, ops);
                let end = ops.len();
                set_targets(ops, split, vec![split + 1, end]);
            }
            Item::Star { line, body } => {
                let split = ops.len();
                ops.push(Op::Split {
                    line: *line,
                    targets: Vec::new(),
                });
                emit(body, ops);
                ops.push(Op::Jump(split));
                let end = ops.len();
                set_targets(ops, split, vec![split + 1, end]);
            }
            Item::Plus { line, body } => {
                let start = ops.len();
                emit(body, ops);
                let split = ops.len();
                ops.push(Op::Split {
                    line: *line,
                    targets: vec![start, split + 1],
                });
            }
        }
    }
}

fn set_targets(ops: &mut [Op], split: usize, new: Vec<usize>) {
    if let Some(Op::Split { targets, .. }) = ops.get_mut(split) {
        *targets = new;
    }
}
