//! `codegen : core -> llvm` — LLVM IR through inkwell (LLVM 22), then native object code
//! for the host. Values are unboxed: `Int` is `i64`, `Float` `double`, `Bool` `i1`,
//! `()` an `i8` zero, and a `String` a pointer to an immutable `{i64 len, bytes}` cell
//! (literals are constant globals; the runtime allocates the rest).
//!
//! Every Mesh function uses LLVM's `fastcc` and calls marked `tail` in tail position
//! are emitted as `tail call` directly followed by `ret`. With `-tailcallopt`
//! (GuaranteedTailCallOpt) LLVM then guarantees they reuse the caller's frame, so
//! self and mutual tail recursion runs in constant stack at every optimisation level.
//! Integer division guards against a zero divisor and `MIN / -1` (both runtime errors,
//! spec 02 §8.1); `MIN % -1` is 0. Paper: `papers/codegen.md`.

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::module::{Linkage, Module};
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{
    CodeModel, FileType, InitializationConfig, RelocMode, Target, TargetMachine,
};
use inkwell::types::{BasicMetadataTypeEnum, BasicType, BasicTypeEnum};
use inkwell::values::{AnyValue, BasicMetadataValueEnum, BasicValueEnum, FunctionValue, IntValue};
use inkwell::{AddressSpace, FloatPredicate, IntPredicate, OptimizationLevel};
use mesh_ir::core::{self, CTy, Cmp, ExprKind, Prim};
use mesh_ir::llvm::LlvmModule;
use mesh_ir::source::Sources;
use std::collections::HashMap;
use std::sync::Once;

pub struct Codegen;

/// The C-ABI runtime symbols the generated code calls (runtime/src/lib.rs defines them).
/// A C-ABI type of a runtime function codegen calls itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    Ptr,
    I64,
    I32,
    I8,
    F64,
}

/// The runtime functions codegen itself calls, to implement primitives, allocation and
/// reference counts (runtime/src/memory.rs, strings.rs, lib.rs): symbol, parameters,
/// result (`None`: void). Library functions are the program's `externs` instead.
pub const SUPPORT: &[(&str, &[Abi], Option<Abi>)] = {
    use Abi::*;
    &[
        ("mesh_rt_str_concat", &[Ptr, Ptr], Some(Ptr)),
        ("mesh_rt_int_to_str", &[I64], Some(Ptr)),
        ("mesh_rt_float_to_str", &[F64], Some(Ptr)),
        ("mesh_rt_bool_to_str", &[I8], Some(Ptr)),
        ("mesh_rt_str_cmp", &[Ptr, Ptr], Some(I32)),
        ("mesh_rt_print", &[Ptr], None),
        ("mesh_rt_println", &[Ptr], None),
        ("mesh_rt_panic", &[Ptr], None),
        ("mesh_rt_panic_at", &[Ptr, Ptr], None),
        ("mesh_rt_alloc", &[I64, I64, I64], Some(Ptr)),
        ("mesh_rt_dup", &[Ptr], None),
        ("mesh_rt_alloc_at", &[Ptr, I64, I64, I64], Some(Ptr)),
        ("mesh_rt_alloc_fit", &[Ptr, I64, I64, I64], Some(Ptr)),
        ("mesh_rt_drop", &[Ptr], None),
        ("mesh_rt_drop_reuse", &[Ptr], Some(Ptr)),
        ("mesh_rt_free_reuse", &[Ptr], None),
        ("mesh_rt_drop_reuse_moved", &[Ptr, I64], Some(Ptr)),
        ("mesh_rt_drop_moved", &[Ptr, I64], None),
        ("mesh_rt_check", &[], None),
    ]
};

const FASTCC: u32 = 8;

/// Object layout (runtime/src/memory.rs): header word, pointer-mask word, then slots.
const SLOT0: u64 = 2;
/// A count that `dup`/`drop` leave alone: constants emitted here.
const IMMORTAL: u64 = 0xFFFF_FFFF;
/// The header of an immortal string cell (tag `STR_TAG` = 0xFFFF).
const IMMORTAL_STR_HEADER: u64 = 0xFFFF | IMMORTAL << 32;

impl Pass for Codegen {
    const NAME: &'static str = "codegen";
    type In = core::RcExplicit;
    type Out = LlvmModule;
    fn run(&self, core::RcExplicit(p): core::RcExplicit, cx: &mut PassCx) -> LlvmModule {
        match generate(&p, cx.options.release, &cx.sources) {
            Ok(m) => m,
            Err(e) => {
                cx.emit(Diagnostic::error(
                    "internal",
                    format!("code generation failed: {e}"),
                    mesh_ir::Span::DUMMY,
                ));
                LlvmModule {
                    ir_text: String::new(),
                    object: Vec::new(),
                }
            }
        }
    }
}

fn init_llvm() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        Target::initialize_native(&InitializationConfig::default()).expect("LLVM native target");
        let args = [c"mesh".as_ptr(), c"-tailcallopt".as_ptr()];
        // SAFETY: two valid NUL-terminated strings; LLVM copies what it keeps.
        unsafe {
            inkwell::llvm_sys::support::LLVMParseCommandLineOptions(
                2,
                args.as_ptr(),
                std::ptr::null(),
            )
        };
    });
}

pub fn generate(p: &core::Program, release: bool, sources: &Sources) -> Result<LlvmModule, String> {
    init_llvm();
    let ctx = Context::create();
    let module = ctx.create_module("mesh");
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple).map_err(|e| e.to_string())?;
    let level = if release {
        OptimizationLevel::Aggressive
    } else {
        OptimizationLevel::None
    };
    let tm = target
        .create_target_machine(
            &triple,
            "generic",
            "",
            level,
            RelocMode::PIC,
            CodeModel::Default,
        )
        .ok_or("cannot create a target machine for the host")?;
    module.set_triple(&triple);
    module.set_data_layout(&tm.get_target_data().get_data_layout());

    let mut g = Gen {
        sources,
        ctx: &ctx,
        module: &module,
        builder: ctx.create_builder(),
        fns: HashMap::new(),
        loops: Vec::new(),
        rt: std::cell::RefCell::new(HashMap::new()),
        rt_types: HashMap::new(),
        strings: HashMap::new(),
        library_fns: p
            .fns
            .iter()
            .filter(|f| {
                sources
                    .files
                    .get(f.span.file as usize)
                    .is_some_and(|file| file.is_library())
            })
            .map(|f| f.name.clone())
            .collect(),
        in_library: false,
        externs: &p.externs,
    };
    g.declare_runtime(&p.externs);
    for f in &p.fns {
        let params: Vec<BasicMetadataTypeEnum> =
            f.params.iter().map(|(_, t)| g.ty(*t).into()).collect();
        let fv = module.add_function(
            &f.name,
            g.ty(f.ret).fn_type(&params, false),
            Some(Linkage::Internal),
        );
        fv.set_call_conventions(FASTCC);
        g.fns.insert(f.name.clone(), fv);
    }
    for f in &p.fns {
        g.function(f)?;
    }
    g.sort_trampolines()?;
    g.match_trampolines()?;
    g.process_entry_points()?;
    // C entry point called by the runtime's `main`.
    let entry = module.add_function("mesh_main", ctx.void_type().fn_type(&[], false), None);
    let bb = ctx.append_basic_block(entry, "entry");
    g.builder.position_at_end(bb);
    let call = g
        .builder
        .build_call(g.fns[&p.entry], &[], "")
        .map_err(|e| e.to_string())?;
    call.set_call_convention(FASTCC);
    g.builder.build_return(None).map_err(|e| e.to_string())?;

    module.verify().map_err(|e| e.to_string())?;
    if release {
        module
            .run_passes("default<O2>", &tm, PassBuilderOptions::create())
            .map_err(|e| e.to_string())?;
    }
    let ir_text = module.print_to_string().to_string();
    let object = tm
        .write_to_memory_buffer(&module, FileType::Object)
        .map_err(|e| e.to_string())?
        .as_slice()
        .to_vec();
    Ok(LlvmModule { ir_text, object })
}

/// An enclosing core `Loop` while its body is generated.
struct LoopCx<'ctx> {
    label: String,
    header: inkwell::basic_block::BasicBlock<'ctx>,
    phis: Vec<inkwell::values::PhiValue<'ctx>>,
    exit: inkwell::basic_block::BasicBlock<'ctx>,
    /// Values leaving the loop, with their blocks (non-tail loops).
    exits: Vec<(BasicValueEnum<'ctx>, inkwell::basic_block::BasicBlock<'ctx>)>,
    /// In tail position, leaving the loop returns from the function.
    tail: bool,
}

struct Gen<'a, 'ctx> {
    loops: Vec<LoopCx<'ctx>>,
    sources: &'a Sources,
    ctx: &'ctx Context,
    module: &'a Module<'ctx>,
    builder: Builder<'ctx>,
    fns: HashMap<String, FunctionValue<'ctx>>,
    rt: std::cell::RefCell<HashMap<String, FunctionValue<'ctx>>>,
    rt_types: HashMap<String, inkwell::types::FunctionType<'ctx>>,
    /// The program's runtime functions (`core::Program::externs`).
    externs: &'a [core::Extern],
    strings: HashMap<String, BasicValueEnum<'ctx>>,
    /// Functions written in the embedded library (`<stdlib/…>`): a failure inside one is
    /// reported at the user's call that entered the library (see `mark_site`).
    library_fns: std::collections::HashSet<String>,
    /// Whether the function being emitted is library code.
    in_library: bool,
}

type R<T> = Result<T, String>;

/// Header word, count, `done` block and extra blocks (`Gen::counted_header`).
type CountedHeader<'ctx> = (
    IntValue<'ctx>,
    IntValue<'ctx>,
    inkwell::basic_block::BasicBlock<'ctx>,
    Vec<inkwell::basic_block::BasicBlock<'ctx>>,
);

fn e<E: std::fmt::Display>(x: E) -> String {
    x.to_string()
}

impl<'a, 'ctx> Gen<'a, 'ctx> {
    fn ty(&self, t: CTy) -> BasicTypeEnum<'ctx> {
        match t {
            CTy::Int => self.ctx.i64_type().into(),
            CTy::Float => self.ctx.f64_type().into(),
            CTy::Bool => self.ctx.bool_type().into(),
            CTy::Unit => self.ctx.i8_type().into(),
            CTy::Str | CTy::Obj | CTy::Raw => self.ctx.ptr_type(AddressSpace::default()).into(),
        }
    }

    fn declare_runtime(&mut self, externs: &[core::Extern]) {
        let abi = |ctx: &'ctx Context, a: Abi| -> BasicTypeEnum<'ctx> {
            match a {
                Abi::Ptr => ctx.ptr_type(AddressSpace::default()).into(),
                Abi::I64 => ctx.i64_type().into(),
                Abi::I32 => ctx.i32_type().into(),
                Abi::I8 => ctx.i8_type().into(),
                Abi::F64 => ctx.f64_type().into(),
            }
        };
        for (name, params, ret) in SUPPORT {
            let ps: Vec<BasicMetadataTypeEnum> =
                params.iter().map(|p| abi(self.ctx, *p).into()).collect();
            let ft = match ret {
                None => self.ctx.void_type().fn_type(&ps, false),
                Some(r) => abi(self.ctx, *r).fn_type(&ps, false),
            };
            self.rt_types.insert(name.to_string(), ft);
        }
        // the library's runtime functions: `Bool` (and `()`) cross the C boundary as a
        // byte, type parameters as 64-bit words
        let c_ty = |ctx: &'ctx Context, t: core::RtTy| -> BasicTypeEnum<'ctx> {
            match t {
                core::RtTy::Word | core::RtTy::Is(CTy::Int) => ctx.i64_type().into(),
                core::RtTy::Is(CTy::Float) => ctx.f64_type().into(),
                core::RtTy::Is(CTy::Bool | CTy::Unit) => ctx.i8_type().into(),
                core::RtTy::Is(CTy::Str | CTy::Obj | CTy::Raw) => {
                    ctx.ptr_type(AddressSpace::default()).into()
                }
            }
        };
        for x in externs {
            let ps: Vec<BasicMetadataTypeEnum> =
                x.params.iter().map(|p| c_ty(self.ctx, *p).into()).collect();
            self.rt_types
                .insert(x.symbol.clone(), c_ty(self.ctx, x.ret).fn_type(&ps, false));
        }
    }

    fn rt_call(
        &self,
        name: &str,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> R<Option<BasicValueEnum<'ctx>>> {
        // runtime functions are declared on first use, so modules stay small
        let f = *self
            .rt
            .borrow_mut()
            .entry(name.to_string())
            .or_insert_with(|| {
                self.module
                    .add_function(name, self.rt_types[name], Some(Linkage::External))
            });
        let call = self.builder.build_call(f, args, "").map_err(e)?;
        Ok(match call.try_as_basic_value() {
            inkwell::values::ValueKind::Basic(v) => Some(v),
            _ => None,
        })
    }

    /// A constant `{i64 len, [n x i8]}` global, shared between equal literals.
    fn str_lit(&mut self, s: &str) -> BasicValueEnum<'ctx> {
        if let Some(v) = self.strings.get(s) {
            return *v;
        }
        let bytes = self.ctx.const_string(s.as_bytes(), false);
        let len = self.ctx.i64_type().const_int(s.len() as u64, false);
        // an immortal string cell: header (tag STR, count IMMORTAL), length, bytes
        let header = self.ctx.i64_type().const_int(IMMORTAL_STR_HEADER, false);
        let st = self
            .ctx
            .const_struct(&[header.into(), len.into(), bytes.into()], false);
        let gv =
            self.module
                .add_global(st.get_type(), None, &format!("str.{}", self.strings.len()));
        gv.set_initializer(&st);
        gv.set_constant(true);
        gv.set_linkage(Linkage::Private);
        let v: BasicValueEnum = gv.as_pointer_value().into();
        self.strings.insert(s.to_string(), v);
        v
    }

    fn unit(&self) -> BasicValueEnum<'ctx> {
        self.ctx.i8_type().const_zero().into()
    }

    fn function(&mut self, f: &core::Fn) -> R<()> {
        let fv = self.fns[&f.name];
        self.in_library = self.library_fns.contains(&f.name);
        let bb = self.ctx.append_basic_block(fv, "entry");
        self.builder.position_at_end(bb);
        let mut env = HashMap::new();
        for (i, (n, _)) in f.params.iter().enumerate() {
            env.insert(n.clone(), fv.get_nth_param(i as u32).unwrap());
        }
        self.tail(&f.body, &mut env, fv)
    }

    /// Emits `e` in tail position: every path ends in `ret` (or a runtime failure).
    fn tail(
        &mut self,
        x: &core::Expr,
        env: &mut HashMap<String, BasicValueEnum<'ctx>>,
        fv: FunctionValue<'ctx>,
    ) -> R<()> {
        match &x.kind {
            ExprKind::If(c, t, f) => {
                let cv = self.expr(c, env, fv)?.into_int_value();
                let (tb, fb) = (
                    self.ctx.append_basic_block(fv, "then"),
                    self.ctx.append_basic_block(fv, "else"),
                );
                self.builder
                    .build_conditional_branch(cv, tb, fb)
                    .map_err(e)?;
                self.builder.position_at_end(tb);
                self.tail(t, env, fv)?;
                self.builder.position_at_end(fb);
                self.tail(f, env, fv)
            }
            ExprKind::Let(n, v, body) => {
                let vv = self.expr(v, env, fv)?;
                env.insert(n.clone(), vv);
                self.tail(body, env, fv)
            }
            ExprKind::Seq(a, b) => {
                self.expr(a, env, fv)?;
                self.tail(b, env, fv)
            }
            ExprKind::Return(v) => self.tail(v, env, fv),
            ExprKind::Drop(v, body) => {
                let p = *env.get(v).ok_or_else(|| format!("unbound local {v}"))?;
                self.inline_drop(p, fv)?;
                self.tail(body, env, fv)
            }
            ExprKind::Loop {
                label,
                params,
                inits,
                body,
            } => {
                self.enter_loop(label, params, inits, true, env, fv)?;
                self.tail(body, env, fv)?;
                self.loops.pop();
                Ok(())
            }
            ExprKind::Recur { .. } | ExprKind::Exit { .. } => {
                self.expr(x, env, fv)?;
                self.builder.build_unreachable().map_err(e)?;
                Ok(())
            }
            ExprKind::Fail(_) => {
                self.expr(x, env, fv)?;
                self.builder.build_unreachable().map_err(e)?;
                Ok(())
            }
            ExprKind::Call {
                func,
                args,
                tail: true,
            } => {
                let argv = self.args(args, env, fv)?;
                self.mark_site(func, x.span)?;
                let call = self
                    .builder
                    .build_call(self.fns[func], &argv, "")
                    .map_err(e)?;
                call.set_call_convention(FASTCC);
                call.set_tail_call(true);
                let v = match call.try_as_basic_value() {
                    inkwell::values::ValueKind::Basic(v) => v,
                    _ => self.unit(),
                };
                self.builder.build_return(Some(&v)).map_err(e)?;
                Ok(())
            }
            ExprKind::CallClosure {
                closure,
                args,
                tail: true,
            } => {
                let v = self.call_closure(closure, args, x.ty, true, env, fv)?;
                self.builder.build_return(Some(&v)).map_err(e)?;
                Ok(())
            }
            _ => {
                let v = self.expr(x, env, fv)?;
                self.builder.build_return(Some(&v)).map_err(e)?;
                Ok(())
            }
        }
    }

    fn args(
        &mut self,
        args: &[core::Expr],
        env: &mut HashMap<String, BasicValueEnum<'ctx>>,
        fv: FunctionValue<'ctx>,
    ) -> R<Vec<BasicMetadataValueEnum<'ctx>>> {
        args.iter()
            .map(|a| self.expr(a, env, fv).map(Into::into))
            .collect()
    }

    /// `file:line:col` of a span, as runtime messages print it.
    fn location(&self, span: mesh_ir::Span) -> String {
        let (line, col) = self.sources.line_col(span.file, span.lo);
        let path = self
            .sources
            .files
            .get(span.file as usize)
            .map(|f| f.path.as_str())
            .unwrap_or("?");
        format!("{path}:{line}:{col}")
    }

    /// Before a call from user code into the library, records the call's location in
    /// this thread's `@mesh_tls_slots[0]`, where a library failure (`List.get` out of bounds,
    /// `Map.get` of a missing key, …) reads it: the message names the user's line.
    fn mark_site(&mut self, func: &str, span: mesh_ir::Span) -> R<()> {
        if self.in_library || !self.library_fns.contains(func) {
            return Ok(());
        }
        self.store_site(span)
    }

    /// Before a runtime call from user code that may fail (`Map.get` of a missing key,
    /// `core::fails_at_call_site`), records the call's location as `mark_site` does for
    /// library functions; other runtime calls store nothing.
    fn mark_runtime_site(&mut self, span: mesh_ir::Span) -> R<()> {
        if self.in_library {
            return Ok(());
        }
        self.store_site(span)
    }

    fn store_site(&mut self, span: mesh_ir::Span) -> R<()> {
        let loc = self.location(span);
        let s = self.str_lit(&loc);
        // this thread's `@mesh_tls_slots[0]` (processes run on several threads)
        self.builder
            .build_store(self.tls().as_pointer_value(), s)
            .map_err(e)?;
        Ok(())
    }

    /// The common start of inlined `dup` and `drop`: unless `p` is null or immortal
    /// (both go straight to the returned `done` block), loads the header and positions
    /// the builder in a block where the cell is counted. Returns the header, the count,
    /// the `done` block and the `extra` blocks the caller asked for (made before it).
    /// The layout is runtime/src/memory.rs's: count in the header's high half.
    fn counted_header(
        &mut self,
        p: BasicValueEnum<'ctx>,
        fv: FunctionValue<'ctx>,
        (what, counted, extra): (&str, &str, &[&str]),
    ) -> R<CountedHeader<'ctx>> {
        let i64t = self.ctx.i64_type();
        let ptr = p.into_pointer_value();
        let check = self.ctx.append_basic_block(fv, &format!("{what}_check"));
        let counted = self.ctx.append_basic_block(fv, counted);
        let blocks: Vec<_> = extra
            .iter()
            .map(|n| self.ctx.append_basic_block(fv, n))
            .collect();
        let done = self.ctx.append_basic_block(fv, &format!("{what}_done"));
        let b = &self.builder;
        let is_null = b.build_is_null(ptr, "isnull").map_err(e)?;
        b.build_conditional_branch(is_null, done, check)
            .map_err(e)?;
        b.position_at_end(check);
        let h = b.build_load(i64t, ptr, "hdr").map_err(e)?.into_int_value();
        let rc = b
            .build_right_shift(h, i64t.const_int(32, false), false, "rc")
            .map_err(e)?;
        let immortal = b
            .build_int_compare(
                IntPredicate::EQ,
                rc,
                i64t.const_int(0xFFFF_FFFF, false),
                "imm",
            )
            .map_err(e)?;
        b.build_conditional_branch(immortal, done, counted)
            .map_err(e)?;
        b.position_at_end(counted);
        Ok((h, rc, done, blocks))
    }

    /// `mesh_rt_dup` inlined: unless `p` is null or immortal, add one to the count.
    fn inline_dup(&mut self, p: BasicValueEnum<'ctx>, fv: FunctionValue<'ctx>) -> R<()> {
        let i64t = self.ctx.i64_type();
        let (h, _, done, _) = self.counted_header(p, fv, ("dup", "dup_inc", &[]))?;
        let b = &self.builder;
        let h2 = b
            .build_int_add(h, i64t.const_int(1 << 32, false), "hdr1")
            .map_err(e)?;
        b.build_store(p.into_pointer_value(), h2).map_err(e)?;
        b.build_unconditional_branch(done).map_err(e)?;
        b.position_at_end(done);
        Ok(())
    }

    /// `mesh_rt_drop` with its fast path inlined: null and immortal cells are left
    /// alone, a shared cell loses one count in its header; only the last reference
    /// calls the runtime, which frees the cell and what it alone held.
    fn inline_drop(&mut self, p: BasicValueEnum<'ctx>, fv: FunctionValue<'ctx>) -> R<()> {
        let i64t = self.ctx.i64_type();
        let (h, rc, done, blocks) =
            self.counted_header(p, fv, ("drop", "drop_shared", &["drop_dec", "drop_last"]))?;
        let (dec, last) = (blocks[0], blocks[1]);
        let b = &self.builder;
        let many = b
            .build_int_compare(IntPredicate::UGT, rc, i64t.const_int(1, false), "many")
            .map_err(e)?;
        b.build_conditional_branch(many, dec, last).map_err(e)?;
        b.position_at_end(dec);
        let h2 = b
            .build_int_sub(h, i64t.const_int(1 << 32, false), "hdr1")
            .map_err(e)?;
        b.build_store(p.into_pointer_value(), h2).map_err(e)?;
        b.build_unconditional_branch(done).map_err(e)?;
        self.builder.position_at_end(last);
        self.rt_call("mesh_rt_drop", &[p.into()])?;
        self.builder.build_unconditional_branch(done).map_err(e)?;
        self.builder.position_at_end(done);
        Ok(())
    }

    /// A drop after drop specialisation (`specialise-drops`), its common cases inlined:
    /// a unique cell whose counted children were all read (`moved`) is kept as the
    /// reuse token (`reuse`) or freed; a shared one gives a reference to each read
    /// child and loses one count; anything else calls the runtime. Returns the token
    /// when `reuse`.
    fn inline_drop_moved(
        &mut self,
        p: BasicValueEnum<'ctx>,
        moved: u64,
        reuse: bool,
        fv: FunctionValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let i64t = self.ctx.i64_type();
        let ptrt = self.ctx.ptr_type(AddressSpace::default());
        let ptr = p.into_pointer_value();
        let null = ptrt.const_null();
        let block = |n: &str| self.ctx.append_basic_block(fv, n);
        let (check, uniq, fast, slow, shared, dec, done) = (
            block("dm_check"),
            block("dm_unique"),
            block("dm_fast"),
            block("dm_slow"),
            block("dm_shared"),
            block("dm_dec"),
            block("dm_done"),
        );
        let mut incoming: Vec<(BasicValueEnum<'ctx>, inkwell::basic_block::BasicBlock<'ctx>)> =
            Vec::new();
        let b = &self.builder;
        let entry = b.get_insert_block().unwrap();
        let is_null = b.build_is_null(ptr, "isnull").map_err(e)?;
        b.build_conditional_branch(is_null, done, check)
            .map_err(e)?;
        incoming.push((null.into(), entry));
        b.position_at_end(check);
        let h = b.build_load(i64t, ptr, "hdr").map_err(e)?.into_int_value();
        let rc = b
            .build_right_shift(h, i64t.const_int(32, false), false, "rc")
            .map_err(e)?;
        let one = b
            .build_int_compare(IntPredicate::EQ, rc, i64t.const_int(1, false), "one")
            .map_err(e)?;
        b.build_conditional_branch(one, uniq, shared).map_err(e)?;
        // unique: only the unread children need the runtime
        b.position_at_end(uniq);
        let mp = self.slot_ptr(ptr, 1)?;
        let b = &self.builder;
        let mask = b.build_load(i64t, mp, "mask").map_err(e)?.into_int_value();
        let others = b
            .build_and(
                mask,
                i64t.const_int(!moved & ((1 << 62) - 1), false),
                "others",
            )
            .map_err(e)?;
        let none = b
            .build_int_compare(IntPredicate::EQ, others, i64t.const_zero(), "none")
            .map_err(e)?;
        b.build_conditional_branch(none, fast, slow).map_err(e)?;
        b.position_at_end(fast);
        if reuse {
            incoming.push((p, fast));
        } else {
            self.rt_call("mesh_rt_free_reuse", &[p.into()])?;
            incoming.push((null.into(), fast));
        }
        self.builder.build_unconditional_branch(done).map_err(e)?;
        self.builder.position_at_end(slow);
        let sym = if reuse {
            "mesh_rt_drop_reuse_moved"
        } else {
            "mesh_rt_drop_moved"
        };
        let r = self.rt_call(sym, &[p.into(), i64t.const_int(moved, false).into()])?;
        incoming.push((if reuse { r.unwrap() } else { null.into() }, slow));
        self.builder.build_unconditional_branch(done).map_err(e)?;
        // shared (or immortal): the reader takes its own references
        self.builder.position_at_end(shared);
        let mut m = moved;
        while m != 0 {
            let i = m.trailing_zeros() as u64;
            m &= m - 1;
            let sp = self.slot_ptr(ptr, i + SLOT0)?;
            let child = self.builder.build_load(ptrt, sp, "child").map_err(e)?;
            self.inline_dup(child, fv)?;
        }
        let b = &self.builder;
        let immortal = b
            .build_int_compare(IntPredicate::EQ, rc, i64t.const_int(IMMORTAL, false), "imm")
            .map_err(e)?;
        incoming.push((null.into(), b.get_insert_block().unwrap()));
        b.build_conditional_branch(immortal, done, dec).map_err(e)?;
        b.position_at_end(dec);
        let h2 = b
            .build_int_sub(h, i64t.const_int(1 << 32, false), "hdr1")
            .map_err(e)?;
        b.build_store(ptr, h2).map_err(e)?;
        b.build_unconditional_branch(done).map_err(e)?;
        incoming.push((null.into(), dec));
        b.position_at_end(done);
        if !reuse {
            return Ok(self.unit());
        }
        let phi = b.build_phi(ptrt, "token").map_err(e)?;
        for (v, bb) in &incoming {
            phi.add_incoming(&[(v, *bb)]);
        }
        Ok(phi.as_basic_value())
    }

    /// Emits a runtime failure with `msg`; the current block ends there.
    fn fail(&mut self, msg: &str) -> R<()> {
        let s = self.str_lit(msg);
        self.rt_call("mesh_rt_panic", &[s.into()])?;
        self.builder.build_unreachable().map_err(e)?;
        Ok(())
    }

    fn expr(
        &mut self,
        x: &core::Expr,
        env: &mut HashMap<String, BasicValueEnum<'ctx>>,
        fv: FunctionValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        Ok(match &x.kind {
            ExprKind::Int(n) => self.ctx.i64_type().const_int(*n as u64, true).into(),
            ExprKind::Float(f) => self.ctx.f64_type().const_float(*f).into(),
            ExprKind::Bool(v) => self.ctx.bool_type().const_int(*v as u64, false).into(),
            ExprKind::Unit => self.unit(),
            ExprKind::Str(s) => self.str_lit(s),
            ExprKind::Var(n) => *env.get(n).ok_or_else(|| format!("unbound local {n}"))?,
            ExprKind::Let(n, v, body) => {
                let vv = self.expr(v, env, fv)?;
                env.insert(n.clone(), vv);
                self.expr(body, env, fv)?
            }
            ExprKind::Seq(a, c) => {
                self.expr(a, env, fv)?;
                self.expr(c, env, fv)?
            }
            ExprKind::If(c, t, f) => {
                let cv = self.expr(c, env, fv)?.into_int_value();
                let (tb, fb, join) = (
                    self.ctx.append_basic_block(fv, "then"),
                    self.ctx.append_basic_block(fv, "else"),
                    self.ctx.append_basic_block(fv, "join"),
                );
                self.builder
                    .build_conditional_branch(cv, tb, fb)
                    .map_err(e)?;
                let mut incoming = Vec::new();
                for (blk, arm) in [(tb, t), (fb, f)] {
                    self.builder.position_at_end(blk);
                    let v = self.expr(arm, env, fv)?;
                    if matches!(arm.kind, ExprKind::Fail(_) | ExprKind::Return(_)) {
                        self.builder.build_unreachable().map_err(e)?;
                    } else {
                        incoming.push((v, self.builder.get_insert_block().unwrap()));
                        self.builder.build_unconditional_branch(join).map_err(e)?;
                    }
                }
                self.builder.position_at_end(join);
                if incoming.is_empty() {
                    self.builder.build_unreachable().map_err(e)?;
                    let dead = self.ctx.append_basic_block(fv, "dead");
                    self.builder.position_at_end(dead);
                    return Ok(self.zero(x.ty));
                }
                let phi = self.builder.build_phi(self.ty(x.ty), "if").map_err(e)?;
                for (v, blk) in &incoming {
                    phi.add_incoming(&[(v, *blk)]);
                }
                phi.as_basic_value()
            }
            ExprKind::Call { func, args, .. } => {
                let argv = self.args(args, env, fv)?;
                self.mark_site(func, x.span)?;
                let call = self
                    .builder
                    .build_call(self.fns[func], &argv, "")
                    .map_err(e)?;
                call.set_call_convention(FASTCC);
                match call.try_as_basic_value() {
                    inkwell::values::ValueKind::Basic(v) => v,
                    _ => self.unit(),
                }
            }
            ExprKind::Loop {
                label,
                params,
                inits,
                body,
            } => {
                self.enter_loop(label, params, inits, false, env, fv)?;
                let v = self.expr(body, env, fv)?;
                let here = self.builder.get_insert_block().unwrap();
                let lp = self.loops.last_mut().unwrap();
                lp.exits.push((v, here));
                let (exit, exits) = (lp.exit, std::mem::take(&mut lp.exits));
                self.builder.build_unconditional_branch(exit).map_err(e)?;
                self.loops.pop();
                self.builder.position_at_end(exit);
                let phi = self.builder.build_phi(self.ty(x.ty), "loop").map_err(e)?;
                for (v, b) in &exits {
                    phi.add_incoming(&[(v, *b)]);
                }
                phi.as_basic_value()
            }
            ExprKind::Recur { label, args } => {
                let vs: Vec<BasicValueEnum> = args
                    .iter()
                    .map(|a| self.expr(a, env, fv))
                    .collect::<R<_>>()?;
                let here = self.builder.get_insert_block().unwrap();
                let lp = self
                    .loops
                    .iter()
                    .rev()
                    .find(|l| &l.label == label)
                    .ok_or("recur outside its loop")?;
                for (phi, v) in lp.phis.iter().zip(&vs) {
                    phi.add_incoming(&[(v, here)]);
                }
                let header = lp.header;
                self.builder.build_unconditional_branch(header).map_err(e)?;
                let dead = self.ctx.append_basic_block(fv, "dead");
                self.builder.position_at_end(dead);
                self.zero(x.ty)
            }
            ExprKind::Exit { label, value } => {
                let v = self.expr(value, env, fv)?;
                let here = self.builder.get_insert_block().unwrap();
                let lp = self
                    .loops
                    .iter_mut()
                    .rev()
                    .find(|l| &l.label == label)
                    .ok_or("exit outside its loop")?;
                if lp.tail {
                    self.builder.build_return(Some(&v)).map_err(e)?;
                } else {
                    lp.exits.push((v, here));
                    let exit = lp.exit;
                    self.builder.build_unconditional_branch(exit).map_err(e)?;
                }
                let dead = self.ctx.append_basic_block(fv, "dead");
                self.builder.position_at_end(dead);
                self.zero(x.ty)
            }
            ExprKind::FnRef(f) => self.fns[f].as_global_value().as_pointer_value().into(),
            ExprKind::Lambda { .. } => {
                return Err("a lambda reached code generation (lift-lambdas removes them)".into())
            }
            ExprKind::Dup(v) => {
                let p = *env.get(v).ok_or_else(|| format!("unbound local {v}"))?;
                self.inline_dup(p, fv)?;
                p
            }
            ExprKind::Drop(v, body) => {
                let p = *env.get(v).ok_or_else(|| format!("unbound local {v}"))?;
                self.inline_drop(p, fv)?;
                self.expr(body, env, fv)?
            }
            ExprKind::Prim(p @ (Prim::DropMoved | Prim::DropReuseMoved), args) => {
                let v = self.expr(&args[0], env, fv)?;
                let ExprKind::Int(moved) = args[1].kind else {
                    return Err(format!("{p:?} needs a constant slot set"));
                };
                self.inline_drop_moved(v, moved as u64, *p == Prim::DropReuseMoved, fv)?
            }
            // a hole (`tail-mod-cons`): a null field until `set_slot` fills it
            ExprKind::Prim(Prim::Hole, _) => self
                .ctx
                .ptr_type(AddressSpace::default())
                .const_null()
                .into(),
            ExprKind::Prim(Prim::SetSlot, args) => {
                let cell = self.expr(&args[0], env, fv)?.into_pointer_value();
                let slot = self.expr(&args[1], env, fv)?.into_int_value();
                let v = self.expr(&args[2], env, fv)?;
                let i64t = self.ctx.i64_type();
                let index = self
                    .builder
                    .build_int_add(slot, i64t.const_int(SLOT0, false), "slot")
                    .map_err(e)?;
                // SAFETY (LLVM): `slot` is a field of `cell` (the pass made the hole there)
                let sp = unsafe {
                    self.builder
                        .build_in_bounds_gep(i64t, cell, &[index], "holep")
                }
                .map_err(e)?;
                let w = self.to_word(v)?;
                self.builder.build_store(sp, w).map_err(e)?;
                self.unit()
            }
            ExprKind::Prim(Prim::Check, _) => {
                self.stack_check(fv)?;
                self.unit()
            }
            ExprKind::Runtime(sym, args) => {
                let decl = self
                    .externs
                    .iter()
                    .find(|d| d.symbol == *sym)
                    .ok_or_else(|| format!("unknown runtime function {sym}"))?;
                let (params, ret, located) = (decl.params.clone(), decl.ret, decl.located);
                let mut argv: Vec<BasicMetadataValueEnum> = Vec::new();
                for (a, p) in args.iter().zip(&params) {
                    let v = self.expr(a, env, fv)?;
                    argv.push(if *p == core::RtTy::Word {
                        self.to_word(v)?.into()
                    } else if a.ty == CTy::Bool {
                        self.builder
                            .build_int_z_extend(v.into_int_value(), self.ctx.i8_type(), "b8")
                            .map_err(e)?
                            .into()
                    } else {
                        v.into()
                    });
                }
                if located {
                    self.mark_runtime_site(x.span)?;
                }
                let r = self.rt_call(sym, &argv)?.unwrap();
                if ret == core::RtTy::Word {
                    self.from_word(r.into_int_value(), x.ty)?
                } else if x.ty == CTy::Bool {
                    let zero = self.ctx.i8_type().const_zero();
                    self.builder
                        .build_int_compare(IntPredicate::NE, r.into_int_value(), zero, "b")
                        .map_err(e)?
                        .into()
                } else {
                    r
                }
            }
            ExprKind::CallClosure { closure, args, .. } => {
                self.call_closure(closure, args, x.ty, false, env, fv)?
            }
            ExprKind::Fail(msg) => {
                // Code after a failure is unreachable; it goes to a fresh block that
                // whoever ends this path terminates (see `tail` and `If`).
                self.fail(msg)?;
                let dead = self.ctx.append_basic_block(fv, "dead");
                self.builder.position_at_end(dead);
                self.zero(x.ty)
            }
            ExprKind::Return(v) => {
                // code after a `return` is unreachable; it goes to a fresh block that
                // whoever ends this path terminates
                self.tail(v, env, fv)?;
                let dead = self.ctx.append_basic_block(fv, "dead");
                self.builder.position_at_end(dead);
                self.zero(x.ty)
            }
            ExprKind::Alloc { tag, fields } => {
                let vs: Vec<BasicValueEnum> = fields
                    .iter()
                    .map(|a| self.expr(a, env, fv))
                    .collect::<R<_>>()?;
                let counted: Vec<bool> = fields.iter().map(|f| f.ty.is_counted()).collect();
                self.alloc(*tag, &vs, &counted, None)?
            }
            ExprKind::Reuse {
                token,
                tag,
                fields,
                fits,
            } => {
                let tok = *env
                    .get(token)
                    .ok_or_else(|| format!("unbound token {token}"))?;
                let vs: Vec<BasicValueEnum> = fields
                    .iter()
                    .map(|a| self.expr(a, env, fv))
                    .collect::<R<_>>()?;
                let counted: Vec<bool> = fields.iter().map(|f| f.ty.is_counted()).collect();
                self.alloc(*tag, &vs, &counted, Some((tok, *fits)))?
            }
            ExprKind::Load(o, i) => {
                let ov = self.expr(o, env, fv)?.into_pointer_value();
                let slot = self.slot_ptr(ov, *i as u64 + SLOT0)?;
                let word = self
                    .builder
                    .build_load(self.ctx.i64_type(), slot, "slot")
                    .map_err(e)?
                    .into_int_value();
                self.from_word(word, x.ty)?
            }
            ExprKind::Tag(o) => {
                let ov = self.expr(o, env, fv)?.into_pointer_value();
                let h = self
                    .builder
                    .build_load(self.ctx.i64_type(), ov, "header")
                    .map_err(e)?
                    .into_int_value();
                let mask = self.ctx.i64_type().const_int(0xffff_ffff, false);
                self.builder.build_and(h, mask, "tag").map_err(e)?.into()
            }
            ExprKind::Prim(p, args) => {
                let vs: Vec<BasicValueEnum> = args
                    .iter()
                    .map(|a| self.expr(a, env, fv))
                    .collect::<R<_>>()?;
                self.prim(*p, &vs, x, fv)?
            }
        })
    }

    fn slot_ptr(
        &self,
        obj: inkwell::values::PointerValue<'ctx>,
        index: u64,
    ) -> R<inkwell::values::PointerValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        // SAFETY (LLVM): objects have a header and one slot per field; `index` is in range
        // by construction of core (validated).
        unsafe {
            self.builder
                .build_in_bounds_gep(i64t, obj, &[i64t.const_int(index, false)], "slotp")
        }
        .map_err(e)
    }

    /// A value as a 64-bit slot word.
    fn to_word(&self, v: BasicValueEnum<'ctx>) -> R<IntValue<'ctx>> {
        let i64t = self.ctx.i64_type();
        Ok(match v {
            BasicValueEnum::IntValue(i) if i.get_type().get_bit_width() == 64 => i,
            BasicValueEnum::IntValue(i) => {
                self.builder.build_int_z_extend(i, i64t, "w").map_err(e)?
            }
            BasicValueEnum::FloatValue(f) => self
                .builder
                .build_bit_cast(f, i64t, "w")
                .map_err(e)?
                .into_int_value(),
            BasicValueEnum::PointerValue(p) => {
                self.builder.build_ptr_to_int(p, i64t, "w").map_err(e)?
            }
            _ => i64t.const_zero(),
        })
    }

    fn from_word(&self, w: IntValue<'ctx>, t: CTy) -> R<BasicValueEnum<'ctx>> {
        Ok(match t {
            CTy::Int => w.into(),
            CTy::Float => self
                .builder
                .build_bit_cast(w, self.ctx.f64_type(), "f")
                .map_err(e)?,
            CTy::Bool => self
                .builder
                .build_int_truncate(w, self.ctx.bool_type(), "b")
                .map_err(e)?
                .into(),
            CTy::Unit => self.unit(),
            CTy::Str | CTy::Obj | CTy::Raw => self
                .builder
                .build_int_to_ptr(w, self.ctx.ptr_type(AddressSpace::default()), "p")
                .map_err(e)?
                .into(),
        })
    }

    /// A heap object: a constant for payload-less variants, else runtime-allocated.
    /// An object; `counted[i]` says whether slot `i` holds a counted pointer (its mask
    /// bit, so that the runtime's `drop` releases it).
    /// A new object, in the cell of reuse token `reuse` when it has one.
    fn alloc(
        &mut self,
        tag: u32,
        vs: &[BasicValueEnum<'ctx>],
        counted: &[bool],
        reuse: Option<(BasicValueEnum<'ctx>, bool)>,
    ) -> R<BasicValueEnum<'ctx>> {
        let i64t = self.ctx.i64_type();
        if vs.is_empty() {
            let name = format!("obj.tag{tag}");
            let gv = match self.module.get_global(&name) {
                Some(g) => g,
                None => {
                    // an immortal object: header (tag, count IMMORTAL), empty mask
                    let ty = i64t.array_type(2);
                    let g = self.module.add_global(ty, None, &name);
                    let header = i64t.const_int(tag as u64 | IMMORTAL << 32, false);
                    g.set_initializer(&i64t.const_array(&[header, i64t.const_zero()]));
                    g.set_constant(true);
                    g.set_linkage(Linkage::Private);
                    g
                }
            };
            return Ok(gv.as_pointer_value().into());
        }
        assert!(vs.len() <= 62, "objects have at most 62 fields");
        let mask = counted
            .iter()
            .enumerate()
            .fold(0u64, |m, (i, c)| if *c { m | 1 << i } else { m });
        let args = [
            i64t.const_int(vs.len() as u64, false).into(),
            i64t.const_int(tag as u64, false).into(),
            i64t.const_int(mask, false).into(),
        ];
        let p = match reuse {
            None => self.rt_call("mesh_rt_alloc", &args)?.unwrap(),
            Some((tok, true)) => self.alloc_fit(tok, tag, mask, &args)?,
            Some((tok, false)) => self
                .rt_call("mesh_rt_alloc_at", &[tok.into(), args[0], args[1], args[2]])?
                .unwrap(),
        }
        .into_pointer_value();
        for (i, v) in vs.iter().enumerate() {
            let w = self.to_word(*v)?;
            let sp = self.slot_ptr(p, i as u64 + SLOT0)?;
            self.builder.build_store(sp, w).map_err(e)?;
        }
        Ok(p.into())
    }

    /// `mesh_rt_alloc_fit` inlined: a token (a cell known to be big enough) gets the new
    /// header and mask; without one, a fresh cell.
    fn alloc_fit(
        &mut self,
        tok: BasicValueEnum<'ctx>,
        tag: u32,
        mask: u64,
        args: &[BasicMetadataValueEnum<'ctx>; 3],
    ) -> R<BasicValueEnum<'ctx>> {
        let i64t = self.ctx.i64_type();
        let ptrt = self.ctx.ptr_type(AddressSpace::default());
        let here = self.builder.get_insert_block().unwrap();
        let fv = here.get_parent().unwrap();
        let (fresh, reuse, done) = (
            self.ctx.append_basic_block(fv, "fit_fresh"),
            self.ctx.append_basic_block(fv, "fit_reuse"),
            self.ctx.append_basic_block(fv, "fit_done"),
        );
        let t = tok.into_pointer_value();
        let b = &self.builder;
        let none = b.build_is_null(t, "notoken").map_err(e)?;
        b.build_conditional_branch(none, fresh, reuse).map_err(e)?;
        b.position_at_end(fresh);
        let p = self.rt_call("mesh_rt_alloc", args)?.unwrap();
        let fresh_end = self.builder.get_insert_block().unwrap();
        self.builder.build_unconditional_branch(done).map_err(e)?;
        self.builder.position_at_end(reuse);
        let header = i64t.const_int(tag as u64 | 1 << 32, false);
        self.builder.build_store(t, header).map_err(e)?;
        let mp = self.slot_ptr(t, 1)?;
        let b = &self.builder;
        b.build_store(mp, i64t.const_int(mask, false)).map_err(e)?;
        b.build_unconditional_branch(done).map_err(e)?;
        b.position_at_end(done);
        let phi = b.build_phi(ptrt, "cell").map_err(e)?;
        phi.add_incoming(&[(&p, fresh_end), (&tok, reuse)]);
        Ok(phi.as_basic_value())
    }

    /// Starts a loop: evaluates the initial values, branches to a header whose φ-nodes
    /// are the loop parameters, and pushes the loop's context.
    fn enter_loop(
        &mut self,
        label: &str,
        params: &[(String, CTy)],
        inits: &[core::Expr],
        tail: bool,
        env: &mut HashMap<String, BasicValueEnum<'ctx>>,
        fv: FunctionValue<'ctx>,
    ) -> R<()> {
        let vs: Vec<BasicValueEnum> = inits
            .iter()
            .map(|a| self.expr(a, env, fv))
            .collect::<R<_>>()?;
        let entry = self.builder.get_insert_block().unwrap();
        let header = self.ctx.append_basic_block(fv, "loop");
        let exit = self.ctx.append_basic_block(fv, "loop_exit");
        self.builder.build_unconditional_branch(header).map_err(e)?;
        self.builder.position_at_end(header);
        let mut phis = Vec::new();
        for ((n, t), v) in params.iter().zip(&vs) {
            let phi = self.builder.build_phi(self.ty(*t), n).map_err(e)?;
            phi.add_incoming(&[(v, entry)]);
            env.insert(n.clone(), phi.as_basic_value());
            phis.push(phi);
        }
        if tail {
            // the exit block is never used: leaving a tail loop returns
            let here = self.builder.get_insert_block().unwrap();
            self.builder.position_at_end(exit);
            self.builder.build_unreachable().map_err(e)?;
            self.builder.position_at_end(here);
        }
        self.loops.push(LoopCx {
            label: label.to_string(),
            header,
            phis,
            exit,
            exits: Vec::new(),
            tail,
        });
        Ok(())
    }

    /// Calls closure `clo`'s code (its slot 0) with `args` (the closure first), typed
    /// `fn_ty`, in the closures' calling convention.
    fn call_code(
        &mut self,
        clo: inkwell::values::PointerValue<'ctx>,
        fn_ty: inkwell::types::FunctionType<'ctx>,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> R<inkwell::values::CallSiteValue<'ctx>> {
        let slot = self.slot_ptr(clo, SLOT0)?;
        let code = self
            .builder
            .build_load(self.ty(CTy::Obj), slot, "code")
            .map_err(e)?
            .into_pointer_value();
        let call = self
            .builder
            .build_indirect_call(fn_ty, code, args, "r")
            .map_err(e)?;
        call.set_call_convention(FASTCC);
        Ok(call)
    }

    /// `@mesh_tls_slots`, this thread's `[call site, stack limit]` (runtime/src/actor):
    /// the location of the latest call from user code into the library, and the limit
    /// `insert-yield-points`' checks compare the stack pointer with.
    fn tls(&self) -> inkwell::values::GlobalValue<'ctx> {
        if let Some(g) = self.module.get_global("mesh_tls_slots") {
            return g;
        }
        let i64t = self.ctx.i64_type();
        let t = i64t.array_type(2);
        let g = self.module.add_global(t, None, "mesh_tls_slots");
        g.set_thread_local(true);
        g.set_thread_local_mode(Some(inkwell::ThreadLocalMode::LocalExecTLSModel));
        g.set_initializer(&i64t.const_array(&[i64t.const_zero(), i64t.const_zero()]));
        g
    }

    /// A check (`insert-yield-points`): the stack pointer against this thread's limit
    /// (0 outside processes; raised past every stack by the runtime to preempt).
    fn stack_check(&mut self, fv: FunctionValue<'ctx>) -> R<()> {
        let i64t = self.ctx.i64_type();
        let ptr = self.ctx.ptr_type(AddressSpace::default());
        let slot = unsafe {
            self.builder
                .build_in_bounds_gep(
                    i64t,
                    self.tls().as_pointer_value(),
                    &[i64t.const_int(1, false)],
                    "limit.p",
                )
                .map_err(e)?
        };
        let limit = self.builder.build_load(i64t, slot, "limit").map_err(e)?;
        // the runtime's monitor thread writes it to preempt the running process
        let load = limit
            .as_any_value_enum()
            .into_int_value()
            .as_instruction()
            .ok_or("a load is an instruction")?;
        load.set_atomic_ordering(inkwell::AtomicOrdering::Monotonic)
            .map_err(|m| m.to_string())?;
        load.set_alignment(8).map_err(|m| m.to_string())?;
        let limit = limit.into_int_value();
        let save = inkwell::intrinsics::Intrinsic::find("llvm.stacksave")
            .ok_or("llvm.stacksave is missing")?
            .get_declaration(self.module, &[ptr.into()])
            .ok_or("llvm.stacksave is missing")?;
        let sp = self
            .builder
            .build_call(save, &[], "sp")
            .map_err(e)?
            .try_as_basic_value()
            .basic()
            .ok_or("llvm.stacksave has no result")?
            .into_pointer_value();
        let sp = self.builder.build_ptr_to_int(sp, i64t, "sp.i").map_err(e)?;
        let over = self
            .builder
            .build_int_compare(IntPredicate::ULT, sp, limit, "over")
            .map_err(e)?;
        self.cold_call(over, "mesh_rt_check", fv)
    }

    /// `if cond { runtime sym() }`, the call out of line.
    fn cold_call(&mut self, cond: IntValue<'ctx>, sym: &str, fv: FunctionValue<'ctx>) -> R<()> {
        let slow = self.ctx.append_basic_block(fv, "slow");
        let cont = self.ctx.append_basic_block(fv, "cont");
        let br = self
            .builder
            .build_conditional_branch(cond, slow, cont)
            .map_err(e)?;
        let weights = self.ctx.metadata_node(&[
            self.ctx.metadata_string("branch_weights").into(),
            self.ctx.i32_type().const_int(1, false).into(),
            self.ctx.i32_type().const_int(2000, false).into(),
        ]);
        let kind = self.ctx.get_kind_id("prof");
        br.set_metadata(weights, kind)
            .map_err(|_| "bad branch weights".to_string())?;
        self.builder.position_at_end(slow);
        self.rt_call(sym, &[])?;
        self.builder.build_unconditional_branch(cont).map_err(e)?;
        self.builder.position_at_end(cont);
        Ok(())
    }

    /// `mesh_tls()` (the address of this thread's `@mesh_tls`, for the runtime) and
    /// `mesh_run_thunk(closure)`, which runs a zero-argument closure returning a pid (a
    /// spawned process's body, a supervisor's child start), owning it; and
    /// `mesh_call_ptr(closure, arg)` (an HTTP handler on a request).
    fn process_entry_points(&mut self) -> R<()> {
        let ptr = self.ty(CTy::Obj);
        let tls = self.tls();
        let fv = self
            .module
            .add_function("mesh_tls", ptr.fn_type(&[], false), None);
        let bb = self.ctx.append_basic_block(fv, "entry");
        self.builder.position_at_end(bb);
        self.builder
            .build_return(Some(&tls.as_pointer_value()))
            .map_err(e)?;

        let fv = self.module.add_function(
            "mesh_run_thunk",
            self.ctx.i64_type().fn_type(&[ptr.into()], false),
            None,
        );
        let bb = self.ctx.append_basic_block(fv, "entry");
        self.builder.position_at_end(bb);
        let clo = fv.get_nth_param(0).unwrap().into_pointer_value();
        let fn_ty = self.ty(CTy::Int).fn_type(&[ptr.into()], false);
        let call = self.call_code(clo, fn_ty, &[clo.into()])?;
        let r = match call.try_as_basic_value() {
            inkwell::values::ValueKind::Basic(v) => v,
            _ => return Err("a process closure without a result".into()),
        };
        self.builder.build_return(Some(&r)).map_err(e)?;

        // the WebSocket callbacks (runtime/src/http/ws.rs), each owning its arguments:
        // on_connect(conn, path, headers) -> Int, on_message(conn, text),
        // on_close(conn, code, reason)
        let i64t = self.ctx.i64_type();
        let unit = self.ty(CTy::Unit);
        for (name, params, int_result) in [
            ("mesh_ws_connect", vec![CTy::Int, CTy::Str, CTy::Obj], true),
            ("mesh_ws_message", vec![CTy::Int, CTy::Str], false),
            ("mesh_ws_close", vec![CTy::Int, CTy::Int, CTy::Str], false),
        ] {
            let mut ptys: Vec<BasicMetadataTypeEnum> = vec![ptr.into()];
            ptys.extend(
                params
                    .iter()
                    .map(|t| BasicMetadataTypeEnum::from(self.ty(*t))),
            );
            let c_ty = if int_result {
                i64t.fn_type(&ptys, false)
            } else {
                self.ctx.void_type().fn_type(&ptys, false)
            };
            let fv = self.module.add_function(name, c_ty, None);
            let bb = self.ctx.append_basic_block(fv, "entry");
            self.builder.position_at_end(bb);
            let clo = fv.get_nth_param(0).unwrap().into_pointer_value();
            let args: Vec<BasicMetadataValueEnum> = (0..ptys.len() as u32)
                .map(|i| fv.get_nth_param(i).unwrap().into())
                .collect();
            let fn_ty = if int_result {
                i64t.fn_type(&ptys, false)
            } else {
                unit.fn_type(&ptys, false)
            };
            let call = self.call_code(clo, fn_ty, &args)?;
            if int_result {
                let r = match call.try_as_basic_value() {
                    inkwell::values::ValueKind::Basic(v) => v,
                    _ => return Err("on_connect without a result".into()),
                };
                self.builder.build_return(Some(&r)).map_err(e)?;
            } else {
                self.builder.build_return(None).map_err(e)?;
            }
        }

        // mesh_call_ptr(closure, arg): a closure on one pointer argument (owning both)
        let fv = self.module.add_function(
            "mesh_call_ptr",
            ptr.fn_type(&[ptr.into(), ptr.into()], false),
            None,
        );
        let bb = self.ctx.append_basic_block(fv, "entry");
        self.builder.position_at_end(bb);
        let clo = fv.get_nth_param(0).unwrap().into_pointer_value();
        let arg = fv.get_nth_param(1).unwrap();
        let fn_ty = ptr.fn_type(&[ptr.into(), ptr.into()], false);
        let call = self.call_code(clo, fn_ty, &[clo.into(), arg.into()])?;
        let r = match call.try_as_basic_value() {
            inkwell::values::ValueKind::Basic(v) => v,
            _ => return Err("a handler closure without a result".into()),
        };
        self.builder.build_return(Some(&r)).map_err(e)?;
        Ok(())
    }

    /// `mesh_match_int`, `_float`, `_bool`, `_ptr`, `_unit`: C-ABI entry points through
    /// which the runtime's selective `receive` (runtime/src/actor) asks a matcher
    /// closure whether a queued message matches one of the arms: each converts the word
    /// to the message type and calls the closure's code (which owns the closure and the
    /// message it is given); the result is 0 or 1.
    fn match_trampolines(&mut self) -> R<()> {
        let i64t = self.ctx.i64_type();
        let ptr = self.ty(CTy::Obj);
        for (name, t) in [
            ("mesh_match_int", CTy::Int),
            ("mesh_match_float", CTy::Float),
            ("mesh_match_bool", CTy::Bool),
            ("mesh_match_ptr", CTy::Obj),
            ("mesh_match_unit", CTy::Unit),
        ] {
            let fv = self.module.add_function(
                name,
                i64t.fn_type(&[ptr.into(), i64t.into()], false),
                None,
            );
            let bb = self.ctx.append_basic_block(fv, "entry");
            self.builder.position_at_end(bb);
            let clo = fv.get_nth_param(0).unwrap();
            let m = self.from_word(fv.get_nth_param(1).unwrap().into_int_value(), t)?;
            let bool_t = self.ty(CTy::Bool);
            let fn_ty = bool_t.fn_type(&[ptr.into(), self.ty(t).into()], false);
            let call = self.call_code(clo.into_pointer_value(), fn_ty, &[clo.into(), m.into()])?;
            let r = match call.try_as_basic_value() {
                inkwell::values::ValueKind::Basic(v) => v.into_int_value(),
                _ => return Err("a matcher without a result".into()),
            };
            let r = self.builder.build_int_z_extend(r, i64t, "r64").map_err(e)?;
            self.builder.build_return(Some(&r)).map_err(e)?;
        }
        Ok(())
    }

    /// `mesh_cmp_int`, `_float`, `_bool`, `_ptr`, `_unit`: C-ABI entry points through
    /// which the runtime's `List.sort` calls a comparator closure on two element words
    /// (runtime/src/library.rs): each converts the words to the element type and calls
    /// the closure's code (which owns the closure and the elements it is given).
    fn sort_trampolines(&mut self) -> R<()> {
        let i64t = self.ctx.i64_type();
        let ptr = self.ty(CTy::Obj);
        for (name, t) in [
            ("mesh_cmp_int", CTy::Int),
            ("mesh_cmp_float", CTy::Float),
            ("mesh_cmp_bool", CTy::Bool),
            ("mesh_cmp_ptr", CTy::Obj),
            ("mesh_cmp_unit", CTy::Unit),
        ] {
            let fv = self.module.add_function(
                name,
                i64t.fn_type(&[ptr.into(), i64t.into(), i64t.into()], false),
                None,
            );
            let bb = self.ctx.append_basic_block(fv, "entry");
            self.builder.position_at_end(bb);
            let clo = fv.get_nth_param(0).unwrap();
            let a = self.from_word(fv.get_nth_param(1).unwrap().into_int_value(), t)?;
            let b = self.from_word(fv.get_nth_param(2).unwrap().into_int_value(), t)?;
            let fn_ty = i64t.fn_type(&[ptr.into(), self.ty(t).into(), self.ty(t).into()], false);
            let call = self.call_code(
                clo.into_pointer_value(),
                fn_ty,
                &[clo.into(), a.into(), b.into()],
            )?;
            let r = match call.try_as_basic_value() {
                inkwell::values::ValueKind::Basic(v) => v,
                _ => return Err("comparator without a result".into()),
            };
            self.builder.build_return(Some(&r)).map_err(e)?;
        }
        Ok(())
    }

    /// Calls a closure: slot 0 is the code pointer; the closure object is passed first.
    fn call_closure(
        &mut self,
        closure: &core::Expr,
        args: &[core::Expr],
        ret: CTy,
        tail: bool,
        env: &mut HashMap<String, BasicValueEnum<'ctx>>,
        fv: FunctionValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let obj = self.expr(closure, env, fv)?;
        let mut argv: Vec<BasicMetadataValueEnum> = vec![obj.into()];
        argv.extend(self.args(args, env, fv)?);
        let mut ptys: Vec<BasicMetadataTypeEnum> = vec![self.ty(CTy::Obj).into()];
        ptys.extend(
            args.iter()
                .map(|a| BasicMetadataTypeEnum::from(self.ty(a.ty))),
        );
        let fn_ty = self.ty(ret).fn_type(&ptys, false);
        let call = self.call_code(obj.into_pointer_value(), fn_ty, &argv)?;
        if tail {
            call.set_tail_call(true);
        }
        Ok(match call.try_as_basic_value() {
            inkwell::values::ValueKind::Basic(v) => v,
            _ => self.unit(),
        })
    }

    fn zero(&self, t: CTy) -> BasicValueEnum<'ctx> {
        match self.ty(t) {
            BasicTypeEnum::IntType(i) => i.const_zero().into(),
            BasicTypeEnum::FloatType(f) => f.const_zero().into(),
            BasicTypeEnum::PointerType(p) => p.const_null().into(),
            other => other.const_zero(),
        }
    }

    fn int_pred(c: Cmp, unsigned: bool) -> IntPredicate {
        match (c, unsigned) {
            (Cmp::Eq, _) => IntPredicate::EQ,
            (Cmp::Ne, _) => IntPredicate::NE,
            (Cmp::Lt, false) => IntPredicate::SLT,
            (Cmp::Le, false) => IntPredicate::SLE,
            (Cmp::Gt, false) => IntPredicate::SGT,
            (Cmp::Ge, false) => IntPredicate::SGE,
            (Cmp::Lt, true) => IntPredicate::ULT,
            (Cmp::Le, true) => IntPredicate::ULE,
            (Cmp::Gt, true) => IntPredicate::UGT,
            (Cmp::Ge, true) => IntPredicate::UGE,
        }
    }

    /// `a / b` or `a % b` on Int with the spec's edge cases.
    fn int_div(
        &mut self,
        rem: bool,
        a: IntValue<'ctx>,
        d: IntValue<'ctx>,
        x: &core::Expr,
        fv: FunctionValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let i64t = self.ctx.i64_type();
        let is_zero = self
            .builder
            .build_int_compare(IntPredicate::EQ, d, i64t.const_zero(), "dz")
            .map_err(e)?;
        let (bad, ok) = (
            self.ctx.append_basic_block(fv, "div_zero"),
            self.ctx.append_basic_block(fv, "div_ok"),
        );
        self.builder
            .build_conditional_branch(is_zero, bad, ok)
            .map_err(e)?;
        self.builder.position_at_end(bad);
        let what = if rem { "remainder" } else { "division" };
        let loc = self.location(x.span);
        self.fail(&format!("{loc}: {what} by zero"))?;
        self.builder.position_at_end(ok);
        let minus1 = i64t.const_int(u64::MAX, true);
        let is_m1 = self
            .builder
            .build_int_compare(IntPredicate::EQ, d, minus1, "m1")
            .map_err(e)?;
        if rem {
            // `MIN % -1` is 0; srem would trap, so divide by 1 instead
            let safe = self
                .builder
                .build_select(is_m1, i64t.const_int(1, false), d, "d")
                .map_err(e)?
                .into_int_value();
            let r = self
                .builder
                .build_int_signed_rem(a, safe, "rem")
                .map_err(e)?;
            return self
                .builder
                .build_select(is_m1, i64t.const_zero(), r, "r")
                .map_err(e);
        }
        // spec 02 §8.1: `MIN / -1` is a runtime error
        let is_min = self
            .builder
            .build_int_compare(
                IntPredicate::EQ,
                a,
                i64t.const_int(i64::MIN as u64, true),
                "min",
            )
            .map_err(e)?;
        let overflow = self.builder.build_and(is_min, is_m1, "ovf").map_err(e)?;
        let (bad, ok) = (
            self.ctx.append_basic_block(fv, "div_overflow"),
            self.ctx.append_basic_block(fv, "div_ok"),
        );
        self.builder
            .build_conditional_branch(overflow, bad, ok)
            .map_err(e)?;
        self.builder.position_at_end(bad);
        self.fail(&format!(
            "{loc}: integer overflow in division (-9223372036854775808 / -1)"
        ))?;
        self.builder.position_at_end(ok);
        Ok(self
            .builder
            .build_int_signed_div(a, d, "div")
            .map_err(e)?
            .into())
    }

    fn prim(
        &mut self,
        p: Prim,
        v: &[BasicValueEnum<'ctx>],
        x: &core::Expr,
        fv: FunctionValue<'ctx>,
    ) -> R<BasicValueEnum<'ctx>> {
        let b = &self.builder;
        let i = |k: usize| v[k].into_int_value();
        let f = |k: usize| v[k].into_float_value();
        Ok(match p {
            Prim::IAdd => b.build_int_add(i(0), i(1), "add").map_err(e)?.into(),
            Prim::ISub => b.build_int_sub(i(0), i(1), "sub").map_err(e)?.into(),
            Prim::IMul => b.build_int_mul(i(0), i(1), "mul").map_err(e)?.into(),
            Prim::INeg => b.build_int_neg(i(0), "neg").map_err(e)?.into(),
            Prim::IDiv => return self.int_div(false, i(0), i(1), x, fv),
            Prim::IRem => return self.int_div(true, i(0), i(1), x, fv),
            Prim::FAdd => b.build_float_add(f(0), f(1), "fadd").map_err(e)?.into(),
            Prim::FSub => b.build_float_sub(f(0), f(1), "fsub").map_err(e)?.into(),
            Prim::FMul => b.build_float_mul(f(0), f(1), "fmul").map_err(e)?.into(),
            Prim::FDiv => b.build_float_div(f(0), f(1), "fdiv").map_err(e)?.into(),
            Prim::FRem => b.build_float_rem(f(0), f(1), "frem").map_err(e)?.into(),
            Prim::FNeg => b.build_float_neg(f(0), "fneg").map_err(e)?.into(),
            Prim::ICmp(c) => b
                .build_int_compare(Self::int_pred(c, false), i(0), i(1), "cmp")
                .map_err(e)?
                .into(),
            Prim::BCmp(c) => b
                .build_int_compare(Self::int_pred(c, true), i(0), i(1), "cmp")
                .map_err(e)?
                .into(),
            Prim::FCmp(c) => {
                let pred = match c {
                    Cmp::Eq => FloatPredicate::OEQ,
                    Cmp::Ne => FloatPredicate::UNE,
                    Cmp::Lt => FloatPredicate::OLT,
                    Cmp::Le => FloatPredicate::OLE,
                    Cmp::Gt => FloatPredicate::OGT,
                    Cmp::Ge => FloatPredicate::OGE,
                };
                b.build_float_compare(pred, f(0), f(1), "fcmp")
                    .map_err(e)?
                    .into()
            }
            Prim::SCmp(c) => {
                let r = self
                    .rt_call("mesh_rt_str_cmp", &[v[0].into(), v[1].into()])?
                    .unwrap()
                    .into_int_value();
                let zero = self.ctx.i32_type().const_zero();
                self.builder
                    .build_int_compare(Self::int_pred(c, false), r, zero, "scmp")
                    .map_err(e)?
                    .into()
            }
            Prim::BNot => b.build_not(i(0), "not").map_err(e)?.into(),
            Prim::StrConcat => self
                .rt_call("mesh_rt_str_concat", &[v[0].into(), v[1].into()])?
                .unwrap(),
            Prim::IntToFloat => b
                .build_signed_int_to_float(i(0), self.ctx.f64_type(), "i2f")
                .map_err(e)?
                .into(),
            Prim::IntToStr => self.rt_call("mesh_rt_int_to_str", &[v[0].into()])?.unwrap(),
            Prim::FloatToStr => self
                .rt_call("mesh_rt_float_to_str", &[v[0].into()])?
                .unwrap(),
            Prim::BoolToStr => {
                let byte = b
                    .build_int_z_extend(i(0), self.ctx.i8_type(), "b8")
                    .map_err(e)?;
                self.rt_call("mesh_rt_bool_to_str", &[byte.into()])?
                    .unwrap()
            }
            Prim::Panic => {
                // user code fails at its own location; library code at the user's call
                // into the library (the runtime's current site, `null` here)
                let site = if self.in_library {
                    self.ctx
                        .ptr_type(AddressSpace::default())
                        .const_null()
                        .into()
                } else {
                    let loc = self.location(x.span);
                    self.str_lit(&loc)
                };
                self.rt_call("mesh_rt_panic_at", &[v[0].into(), site.into()])?;
                self.unit()
            }
            Prim::Print | Prim::Println => {
                let name = if p == Prim::Print {
                    "mesh_rt_print"
                } else {
                    "mesh_rt_println"
                };
                self.rt_call(name, &[v[0].into()])?;
                self.unit()
            }
            Prim::DropReuse => self.rt_call("mesh_rt_drop_reuse", &[v[0].into()])?.unwrap(),
            Prim::FreeReuse => {
                self.rt_call("mesh_rt_free_reuse", &[v[0].into()])?;
                self.unit()
            }
            // handled where their operands are (`expr`)
            Prim::DropReuseMoved | Prim::DropMoved | Prim::Hole | Prim::SetSlot | Prim::Check => {
                return Err(format!("{p:?} reached the generic primitive code"))
            }
        })
    }
}
