//! `llvm`: the output of `codegen` — an LLVM module as text plus the native object code
//! LLVM emitted for it. Invariant: the module passed LLVM's verifier and the object is
//! non-empty.

#[derive(Clone, Debug)]
pub struct LlvmModule {
    pub ir_text: String,
    pub object: Vec<u8>,
}

impl crate::Ir for LlvmModule {
    const LANG: &'static str = "llvm";
    fn print(&self) -> String {
        self.ir_text.clone()
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        if self.object.is_empty() {
            Err(vec!["no object code was emitted".into()])
        } else {
            Ok(())
        }
    }
}
