//! Newline masking: the lexical half of spec 01 §2.1–§2.2 and §4.3.
//!
//! Produces a copy of the source with the same byte length in which
//! * comments (`# …`, `## …`, nestable `#= … =#`) are blanked to spaces, and
//! * every NEWLINE that is not a statement separator is replaced by a space: newlines
//!   inside `()`, `[]`, `{}` (including `%{` and `${`/`#{` interpolations), newlines
//!   after a trailing `|>` / `|N>`, and newlines before a line that starts with one.
//!
//! String literals, heredocs and regex literals are copied unchanged. Because offsets
//! are preserved, spans computed on the masked text point into the original file.
//! Unterminated block comments are reported here (the grammar never sees them).

#[derive(Debug, PartialEq)]
pub struct MaskError {
    pub offset: usize,
    pub message: String,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Ctx {
    /// Code; `depth` counts open delimiters in this code context.
    Code {
        depth: u32,
    },
    Str,
    Heredoc,
}

pub fn mask(src: &str) -> (String, Vec<MaskError>) {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut errs = Vec::new();
    // Stack of contexts; an interpolation pushes a Code context above its string.
    let mut stack: Vec<Ctx> = vec![Ctx::Code { depth: 0 }];
    let mut i = 0;
    // Offset just past the last significant (non-space, non-comment) code byte.
    let mut last_sig: Option<usize> = None;
    while i < b.len() {
        let ctx = *stack.last().unwrap();
        match ctx {
            Ctx::Str | Ctx::Heredoc => {
                let c = b[i];
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if (c == b'$' || c == b'#') && b.get(i + 1) == Some(&b'{') {
                    stack.push(Ctx::Code { depth: 1 });
                    i += 2;
                    continue;
                }
                if ctx == Ctx::Heredoc && b[i..].starts_with(b"\"\"\"") {
                    stack.pop();
                    i += 3;
                    last_sig = Some(i);
                    continue;
                }
                if ctx == Ctx::Str && c == b'"' {
                    stack.pop();
                    i += 1;
                    last_sig = Some(i);
                    continue;
                }
                i += 1;
            }
            Ctx::Code { depth } => {
                let c = b[i];
                match c {
                    b'#' if b.get(i + 1) == Some(&b'=') => {
                        let start = i;
                        let mut nest = 0;
                        loop {
                            if i >= b.len() {
                                errs.push(MaskError {
                                    offset: start,
                                    message: "unterminated block comment (`#=` without `=#`)"
                                        .into(),
                                });
                                break;
                            }
                            if b[i..].starts_with(b"#=") {
                                nest += 1;
                                i += 2;
                            } else if b[i..].starts_with(b"=#") {
                                nest -= 1;
                                i += 2;
                                if nest == 0 {
                                    break;
                                }
                            } else {
                                i += 1;
                            }
                        }
                        blank(&mut out, start, i.min(b.len()));
                    }
                    b'#' => {
                        let start = i;
                        while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                            i += 1;
                        }
                        blank(&mut out, start, i);
                    }
                    b'"' => {
                        if b[i..].starts_with(b"\"\"\"") {
                            stack.push(Ctx::Heredoc);
                            i += 3;
                        } else {
                            stack.push(Ctx::Str);
                            i += 1;
                        }
                    }
                    b'~' if b[i..].starts_with(b"~r/") => {
                        i += 3;
                        while i < b.len() && b[i] != b'/' && b[i] != b'\n' {
                            if b[i] == b'\\' {
                                i += 1;
                            }
                            i += 1;
                        }
                        i += 1;
                        last_sig = Some(i.min(b.len()));
                    }
                    b'(' | b'[' | b'{' => {
                        set_depth(&mut stack, depth + 1);
                        i += 1;
                        last_sig = Some(i);
                    }
                    b')' | b']' | b'}' => {
                        if depth == 1 && stack.len() > 1 && c == b'}' {
                            // closes an interpolation
                            stack.pop();
                        } else {
                            set_depth(&mut stack, depth.saturating_sub(1));
                        }
                        i += 1;
                        last_sig = Some(i);
                    }
                    b'\n' | b'\r' => {
                        let len = if c == b'\r' && b.get(i + 1) == Some(&b'\n') {
                            2
                        } else {
                            1
                        };
                        let insignificant = depth > 0
                            || last_sig.is_some_and(|e| ends_with_pipe(&b[..e]))
                            || next_line_starts_with_pipe(b, i + len);
                        if insignificant {
                            blank(&mut out, i, i + len);
                        }
                        i += len;
                    }
                    b' ' | b'\t' => i += 1,
                    _ => {
                        i += 1;
                        last_sig = Some(i);
                    }
                }
            }
        }
    }
    // Keep multi-byte characters intact: blanking only ever touched ASCII bytes or whole
    // comment ranges, which start and end on character boundaries.
    let masked = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (masked, errs)
}

fn set_depth(stack: &mut [Ctx], d: u32) {
    if let Some(Ctx::Code { depth }) = stack.last_mut() {
        *depth = d;
    }
}

fn blank(out: &mut [u8], from: usize, to: usize) {
    // Replace with spaces, keeping UTF-8 validity: a multi-byte char becomes as many spaces.
    for b in &mut out[from..to] {
        *b = b' ';
    }
}

fn ends_with_pipe(b: &[u8]) -> bool {
    if b.ends_with(b"|>") {
        // `||>` is not a thing; `|>` or `|N>`
        return true;
    }
    if b.last() == Some(&b'>') {
        let mut j = b.len() - 1;
        let mut digits = 0;
        while j > 0 && b[j - 1].is_ascii_digit() {
            j -= 1;
            digits += 1;
        }
        return digits > 0 && j > 0 && b[j - 1] == b'|';
    }
    false
}

/// Is the next non-blank, non-comment content a `|>` or `|N>`?
fn next_line_starts_with_pipe(b: &[u8], mut i: usize) -> bool {
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        if i < b.len() && b[i] == b'#' && b.get(i + 1) != Some(&b'=') && b.get(i + 1) != Some(&b'{')
        {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        break;
    }
    if b[i..].starts_with(b"|>") {
        return true;
    }
    if i < b.len() && b[i] == b'|' {
        let mut j = i + 1;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        return j > i + 1 && b.get(j) == Some(&b'>');
    }
    false
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn keeps_length_and_masks_inside_delimiters() {
        let src = "f(1,\n 2)\nx # c\n";
        let (m, e) = mask(src);
        assert!(e.is_empty());
        assert_eq!(m.len(), src.len());
        assert_eq!(m, "f(1,  2)\nx    \n");
    }

    #[test]
    fn strings_keep_newlines_and_interpolation_masks() {
        let (m, _) = mask("\"a\nb${f(\n1)}\"\n");
        assert_eq!(m, "\"a\nb${f( 1)}\"\n");
    }

    #[test]
    fn pipes_continue_lines() {
        let (m, _) = mask("x\n  |> f\ny |>\n  g\n");
        assert_eq!(m, "x   |> f\ny |>   g\n");
    }

    #[test]
    fn nested_block_comments() {
        let (m, e) = mask("a #= x #= y =# z =# b");
        assert!(e.is_empty());
        assert_eq!(m, "a                   b");
        assert_eq!(mask("#= open").1.len(), 1);
    }
}
