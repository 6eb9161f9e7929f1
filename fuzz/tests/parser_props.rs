//! Parser properties: any input is handled without panicking, and for generated
//! programs printing the tree and parsing it back gives the same tree.

use mesh_fuzz::{int_program, token_soup};
use mesh_ir::surface::{print_module, Module};
use mesh_passes::parse::parse_file;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512), ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(src in token_soup()) {
        let _ = parse_file(0, &src);
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        let _ = parse_file(0, &src);
    }

    #[test]
    fn print_then_reparse_is_identity(p in int_program()) {
        let (items, diags) = parse_file(0, &p.source);
        prop_assert!(diags.is_empty(), "{:?}\n{}", diags, p.source);
        let printed = print_module(&Module { name: "Main".into(), file: 0, library: false, items: items.clone() }, false);
        let (again, diags) = parse_file(0, &printed);
        prop_assert!(diags.is_empty(), "{:?}\n{}", diags, printed);
        prop_assert_eq!(again, items);
    }
}
