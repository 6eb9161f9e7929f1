//! The input of the pipeline: the source files of one program, with their module names.

/// Standard-library files are given paths of this form (`<stdlib/list.mpl>`): they are
/// compiled with every program, may declare `@extern` and `@intrinsic` functions, and
/// are left out of dumps.
pub const LIBRARY_PREFIX: &str = "<stdlib/";

/// One `.mpl` file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path as given on the command line or relative to the project root.
    pub path: String,
    /// Module name derived from the path (spec 01 §1.2); `Main` for the entry file.
    pub module: String,
    pub text: String,
}

impl SourceFile {
    /// Whether this file is one of the standard library's, compiled with every program.
    pub fn is_library(&self) -> bool {
        self.path.starts_with(LIBRARY_PREFIX)
    }
}

/// All files of a program; file ids in spans index this list.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    /// (line, column), both 1-based, of a byte offset; columns count characters.
    pub fn line_col(&self, file: u32, offset: u32) -> (usize, usize) {
        let text = &self.files[file as usize].text;
        let offset = (offset as usize).min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() + 1;
        let col = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Module name of a path relative to the project root (spec 01 §1.2):
/// `math/linear_algebra.mpl` → `Math.LinearAlgebra`.
pub fn module_name(rel_path: &str) -> String {
    let stem = rel_path.strip_suffix(".mpl").unwrap_or(rel_path);
    stem.split(['/', '\\'])
        .filter(|c| !c.is_empty())
        .map(|comp| {
            comp.split('_')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let mut cs = p.chars();
                    match cs.next() {
                        Some(c) => c.to_uppercase().chain(cs).collect::<String>(),
                        None => String::new(),
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::module_name;
    #[test]
    fn module_names_follow_spec_table() {
        assert_eq!(module_name("utils.mpl"), "Utils");
        assert_eq!(module_name("math_ops.mpl"), "MathOps");
        assert_eq!(module_name("math/vector.mpl"), "Math.Vector");
        assert_eq!(module_name("math/linear_algebra.mpl"), "Math.LinearAlgebra");
        assert_eq!(module_name("a/b/c/d.mpl"), "A.B.C.D");
    }
}

impl crate::Ir for Sources {
    const LANG: &'static str = "source";
    fn print(&self) -> String {
        self.files
            .iter()
            .filter(|f| !f.is_library())
            .map(|f| format!("# {} (module {})\n{}\n", f.path, f.module, f.text))
            .collect()
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        let mut seen = std::collections::HashSet::new();
        let dups: Vec<String> = self
            .files
            .iter()
            .filter(|f| !seen.insert(&f.module))
            .map(|f| format!("two files define module `{}`", f.module))
            .collect();
        if dups.is_empty() {
            Ok(())
        } else {
            Err(dups)
        }
    }
}
