//! Loading a program: a project directory (entry `main.mpl` or `mesh.toml`'s
//! `[package].entrypoint`, every other `.mpl` file a module named by its path), or a
//! single file compiled alone as the entry module.

use mesh_ir::source::{module_name, SourceFile, Sources};
use std::path::{Path, PathBuf};

pub struct Project {
    pub sources: Sources,
    /// Where `mesh build` writes the binary by default.
    pub default_output: PathBuf,
}

pub fn load(path: &Path) -> Result<Project, String> {
    if path.is_dir() {
        load_dir(path)
    } else if path.is_file() {
        let file = read(path, path.display().to_string(), "Main".into())?;
        let default_output = path.with_extension("");
        Ok(Project {
            sources: with_prelude(Sources { files: vec![file] }),
            default_output,
        })
    } else {
        Err(format!("{}: no such file or directory", path.display()))
    }
}

/// The test files `mesh test` runs for `path`: the file itself, or every `*.test.mpl`
/// under the directory (sorted).
pub fn test_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        return Err(format!("{}: no such file or directory", path.display()));
    }
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| e.to_string())?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            let p = entry.path();
            if p.is_dir() {
                walk(&p, out)?;
            } else if name.ends_with(".test.mpl") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(path, &mut out)?;
    out.sort();
    Ok(out)
}

/// A test file as a program: the file is the entry module, with the other modules of
/// its project — the nearest ancestor directory holding `mesh.toml` or `main.mpl` —
/// but not the project's entry (spec 03 §17.1). A file outside any project stands alone.
pub fn load_test(file: &Path) -> Result<Project, String> {
    let shown = file.display().to_string();
    let mut files = vec![read(file, shown, "Main".into())?];
    let abs = file
        .canonicalize()
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let root = abs
        .ancestors()
        .skip(1)
        .find(|d| d.join("mesh.toml").is_file() || d.join("main.mpl").is_file());
    if let Some(root) = root {
        let entry = entrypoint(root)?;
        let mut rels = Vec::new();
        collect(root, Path::new(""), &mut rels)?;
        rels.sort();
        for rel in rels.into_iter().filter(|r| *r != entry) {
            let rel_str = rel.to_string_lossy().replace('\\', "/");
            let shown = root.join(&rel).display().to_string();
            files.push(read(&root.join(&rel), shown, module_name(&rel_str))?);
        }
    }
    Ok(Project {
        sources: with_prelude(Sources { files }),
        default_output: file.with_extension(""),
    })
}

/// The library modules written in Mesh, embedded in the compiler: (module, path, text).
/// `(module, "<stdlib/file.mpl>", text)` of one library file.
macro_rules! library {
    ($module:literal, $file:literal) => {
        (
            $module,
            concat!("<stdlib/", $file, ".mpl>"),
            include_str!(concat!("../../stdlib/", $file, ".mpl")),
        )
    };
}

pub const LIBRARY: &[(&str, &str, &str)] = &[
    library!("Prelude", "prelude"),
    library!("List", "list"),
    library!("Map", "map"),
    library!("Option", "option"),
    library!("Result", "result"),
    library!("Range", "range"),
    library!("Tuple", "tuple"),
    library!("Queue", "queue"),
    library!("Set", "set"),
    library!("Iter", "iter"),
    library!("String", "string"),
    library!("Job", "job"),
    library!("Test", "test"),
    library!("HTTP", "http"),
    library!("IO", "io"),
    library!("Kernel", "kernel"),
    library!("Math", "math"),
    library!("Int", "int"),
    library!("Float", "float"),
    library!("Bool", "bool"),
    library!("Base64", "base64"),
    library!("Hex", "hex"),
    library!("Crypto", "crypto"),
    library!("Regex", "regex"),
    library!("Json", "json"),
    library!("JSON", "json_alias"),
    library!("DateTime", "datetime"),
    library!("Env", "env"),
    library!("File", "file"),
    library!("Hash", "hash"),
    library!("Timer", "timer"),
    library!("Process", "process"),
    library!("Node", "node"),
    library!("Global", "global"),
    library!("Continuity", "continuity"),
    library!("Request", "request"),
    library!("Response", "response"),
    library!("Http", "http_client"),
    library!("Testing", "testing"),
    library!("Sqlite", "sqlite"),
    library!("Row", "row"),
    library!("Ws", "ws"),
];

/// Adds the library modules after the program's own files.
pub fn with_prelude(mut sources: Sources) -> Sources {
    for (module, path, text) in LIBRARY {
        sources.files.push(SourceFile {
            path: path.to_string(),
            module: module.to_string(),
            text: text.to_string(),
        });
    }
    sources
}

fn read(path: &Path, shown: String, module: String) -> Result<SourceFile, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile {
            path: shown,
            module,
            text,
        }),
        Err(e) => {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
            let col = at
                - bytes[..at]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map(|p| p + 1)
                    .unwrap_or(0)
                + 1;
            Err(format!("{shown}:{line}:{col}: error: source files must be UTF-8; this byte sequence is not valid UTF-8"))
        }
    }
}

fn entrypoint(dir: &Path) -> Result<PathBuf, String> {
    let manifest = dir.join("mesh.toml");
    if manifest.is_file() {
        let text = std::fs::read_to_string(&manifest)
            .map_err(|e| format!("{}: {e}", manifest.display()))?;
        let value: toml::Table = text
            .parse()
            .map_err(|e| format!("{}: invalid TOML: {e}", manifest.display()))?;
        if value.contains_key("cluster") {
            return Err(format!(
                "error: {}: `[cluster]` manifest sections are no longer supported; move clustered declarations into source with `@cluster` or `@cluster(N)`",
                manifest.display()
            ));
        }
        if let Some(ep) = value
            .get("package")
            .and_then(|p| p.get("entrypoint"))
            .and_then(|e| e.as_str())
        {
            return Ok(PathBuf::from(ep));
        }
    }
    Ok(PathBuf::from("main.mpl"))
}

fn load_dir(dir: &Path) -> Result<Project, String> {
    let entry = entrypoint(dir)?;
    if !dir.join(&entry).is_file() {
        return Err(format!(
            "{}: no entry file `{}` (a project needs `main.mpl` with `fn main()`)",
            dir.display(),
            entry.display()
        ));
    }
    let mut rels = Vec::new();
    collect(dir, Path::new(""), &mut rels)?;
    rels.sort();
    let mut files = Vec::new();
    for rel in rels {
        let shown = dir.join(&rel).display().to_string();
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        let module = if rel == entry {
            "Main".to_string()
        } else {
            module_name(&rel_str)
        };
        let f = read(&dir.join(&rel), shown, module)?;
        // the entry module first: file id 0
        if rel == entry {
            files.insert(0, f);
        } else {
            files.push(f);
        }
    }
    let abs = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let name = abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "main".into());
    Ok(Project {
        sources: with_prelude(Sources { files }),
        default_output: dir.join(name),
    })
}

/// All `.mpl` files under `dir`, skipping dot-names and `*.test.mpl`.
fn collect(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let here = root.join(rel);
    let rd = std::fs::read_dir(&here).map_err(|e| format!("{}: {e}", here.display()))?;
    for entry in rd {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = rel.join(&name);
        let ft = entry.file_type().map_err(|e| e.to_string())?;
        if ft.is_dir() {
            collect(root, &path, out)?;
        } else if name.ends_with(".mpl") && !name.ends_with(".test.mpl") {
            out.push(path);
        }
    }
    Ok(())
}
