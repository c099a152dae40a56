//! What a template is made of, as far as the checker needs it: the filters
//! it calls (with their arguments' shapes and where they are written) and
//! whether it starts with an inserted value. Read from MiniJinja's syntax
//! tree (`minijinja::machinery`, the `unstable_machinery` feature), so it
//! sees exactly what the renderer will run.

use std::ops::Range;

use minijinja::machinery::ast::{CallArg, Expr, Stmt, UnaryOpKind};
use minijinja::machinery::{Span, ast};
use minijinja::value::Value;

/// One argument of a filter call, as far as it is known before a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A whole number written in the template, such as `14` or `-3`.
    WholeNumber(i64),
    /// Another literal: `'14'`, `2.5`, `true`, `none`, a list…; the text
    /// names its kind for messages ("a text", "a decimal number").
    OtherLiteral(&'static str),
    /// A variable or a computation: its value is known only at run time.
    Computed,
}

/// A filter call: `today | add_days(14)`.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterCall {
    pub name: String,
    /// From the filter's name to its closing parenthesis, in bytes of the
    /// template's text.
    pub span: Range<usize>,
    pub positional: Vec<Arg>,
    pub keywords: Vec<(String, Arg)>,
    /// `*args` or `**kwargs`: the arguments are known only at run time.
    pub splat: bool,
}

/// A value the template starts with (`{{ x }}…`), which in a URL template
/// would be URL-encoded as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadingValue {
    /// The expression, in bytes of the template's text.
    pub span: Range<usize>,
    /// Inserted as written: an `org` value, or passed through the `url` or
    /// `safe` filter.
    pub inserted_whole: bool,
}

/// The parts of one template the checker looks at.
#[derive(Debug, Default)]
pub struct Anatomy {
    pub filters: Vec<FilterCall>,
    pub leading_value: Option<LeadingValue>,
    /// Every variable written (`navn`), and every attribute of a variable
    /// (`cpr.digits`), with where it is written, in template order.
    pub variables: Vec<(String, Range<usize>)>,
}

impl Anatomy {
    pub(super) fn of_template(tree: &Stmt<'_>) -> Anatomy {
        let mut anatomy = Anatomy::default();
        if let Stmt::Template(template) = tree {
            anatomy.leading_value = leading_value(&template.children);
        }
        anatomy.stmt(tree);
        anatomy
    }

    pub(super) fn of_expression(expr: &Expr<'_>) -> Anatomy {
        let mut anatomy = Anatomy::default();
        anatomy.expr(expr);
        anatomy
    }

    fn stmts(&mut self, stmts: &[Stmt<'_>]) {
        for stmt in stmts {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt<'_>) {
        match stmt {
            Stmt::Template(t) => self.stmts(&t.children),
            Stmt::EmitExpr(e) => self.expr(&e.expr),
            Stmt::EmitRaw(_) => {}
            Stmt::ForLoop(l) => {
                self.expr(&l.target);
                self.expr(&l.iter);
                if let Some(f) = &l.filter_expr {
                    self.expr(f);
                }
                self.stmts(&l.body);
                self.stmts(&l.else_body);
            }
            Stmt::IfCond(c) => {
                self.expr(&c.expr);
                self.stmts(&c.true_body);
                self.stmts(&c.false_body);
            }
            Stmt::WithBlock(w) => {
                for (target, value) in &w.assignments {
                    self.expr(target);
                    self.expr(value);
                }
                self.stmts(&w.body);
            }
            Stmt::Set(s) => {
                self.expr(&s.target);
                self.expr(&s.expr);
            }
            Stmt::SetBlock(s) => {
                self.expr(&s.target);
                if let Some(f) = &s.filter {
                    self.expr(f);
                }
                self.stmts(&s.body);
            }
            Stmt::AutoEscape(a) => {
                self.expr(&a.enabled);
                self.stmts(&a.body);
            }
            Stmt::FilterBlock(f) => {
                self.expr(&f.filter);
                self.stmts(&f.body);
            }
            Stmt::Block(b) => self.stmts(&b.body),
            Stmt::Import(i) => {
                self.expr(&i.expr);
                self.expr(&i.name);
            }
            Stmt::FromImport(i) => self.expr(&i.expr),
            Stmt::Extends(e) => self.expr(&e.name),
            Stmt::Include(i) => self.expr(&i.name),
            Stmt::Macro(m) => {
                self.exprs(&m.defaults);
                self.stmts(&m.body);
            }
            Stmt::CallBlock(c) => {
                self.call(&c.call);
                self.stmts(&c.macro_decl.body);
            }
            Stmt::Do(d) => self.call(&d.call),
        }
    }

    fn exprs(&mut self, exprs: &[Expr<'_>]) {
        for expr in exprs {
            self.expr(expr);
        }
    }

    fn call(&mut self, call: &ast::Call<'_>) {
        self.expr(&call.expr);
        self.args(&call.args);
    }

    fn args(&mut self, args: &[CallArg<'_>]) {
        for arg in args {
            match arg {
                CallArg::Pos(e)
                | CallArg::Kwarg(_, e)
                | CallArg::PosSplat(e)
                | CallArg::KwargSplat(e) => {
                    self.expr(e);
                }
            }
        }
    }

    fn expr(&mut self, expr: &Expr<'_>) {
        match expr {
            Expr::Var(v) => self.variables.push((v.id.to_string(), range(v.span()))),
            Expr::Const(_) => {}
            Expr::Slice(s) => {
                self.expr(&s.expr);
                for part in [&s.start, &s.stop, &s.step].into_iter().flatten() {
                    self.expr(part);
                }
            }
            Expr::UnaryOp(u) => self.expr(&u.expr),
            Expr::BinOp(b) => {
                self.expr(&b.left);
                self.expr(&b.right);
            }
            Expr::Compare(c) => {
                self.expr(&c.expr);
                for op in &c.ops {
                    self.expr(&op.expr);
                }
            }
            Expr::IfExpr(i) => {
                self.expr(&i.test_expr);
                self.expr(&i.true_expr);
                if let Some(f) = &i.false_expr {
                    self.expr(f);
                }
            }
            Expr::Filter(f) => {
                if let Some(e) = &f.expr {
                    self.expr(e);
                }
                self.args(&f.args);
                self.filters.push(filter_call(f, f.span()));
            }
            Expr::Test(t) => {
                self.expr(&t.expr);
                self.args(&t.args);
            }
            Expr::GetAttr(g) => {
                if let Expr::Var(v) = &g.expr {
                    self.variables
                        .push((format!("{}.{}", v.id, g.name), range(g.span())));
                }
                self.expr(&g.expr);
            }
            Expr::GetItem(g) => {
                self.expr(&g.expr);
                self.expr(&g.subscript_expr);
            }
            Expr::Call(c) => self.call(c),
            Expr::List(l) => self.exprs(&l.items),
            Expr::Tuple(t) => self.exprs(&t.items),
            Expr::Map(m) => {
                self.exprs(&m.keys);
                self.exprs(&m.values);
            }
        }
    }
}

fn range(span: Span) -> Range<usize> {
    span.start_offset as usize..span.end_offset as usize
}

fn filter_call(filter: &ast::Filter<'_>, span: Span) -> FilterCall {
    let mut call = FilterCall {
        name: filter.name.to_string(),
        span: range(span),
        positional: Vec::new(),
        keywords: Vec::new(),
        splat: false,
    };
    for arg in &filter.args {
        match arg {
            CallArg::Pos(e) => call.positional.push(arg_shape(e)),
            CallArg::Kwarg(name, e) => call.keywords.push((name.to_string(), arg_shape(e))),
            CallArg::PosSplat(_) | CallArg::KwargSplat(_) => call.splat = true,
        }
    }
    call
}

fn arg_shape(expr: &Expr<'_>) -> Arg {
    match expr {
        Expr::Const(c) => literal(&c.value, false),
        Expr::UnaryOp(u) if matches!(u.op, UnaryOpKind::Neg) => match &u.expr {
            Expr::Const(c) => literal(&c.value, true),
            _ => Arg::Computed,
        },
        Expr::List(_) | Expr::Tuple(_) => Arg::OtherLiteral("a list"),
        Expr::Map(_) => Arg::OtherLiteral("a map"),
        _ => Arg::Computed,
    }
}

fn literal(value: &Value, negated: bool) -> Arg {
    if value.is_integer() {
        return match value.as_i64() {
            Some(n) if negated => n.checked_neg().map_or(Arg::Computed, Arg::WholeNumber),
            Some(n) => Arg::WholeNumber(n),
            // Larger than any whole number a filter takes: the filter says so.
            None => Arg::Computed,
        };
    }
    if value.is_number() {
        return Arg::OtherLiteral("a decimal number");
    }
    Arg::OtherLiteral(match value.kind() {
        minijinja::value::ValueKind::String => "a text",
        minijinja::value::ValueKind::Bool => "true or false",
        minijinja::value::ValueKind::None | minijinja::value::ValueKind::Undefined => "none",
        _ => "a literal",
    })
}

/// The value a template starts with, if it starts with `{{ … }}` (after
/// blank text only).
fn leading_value(children: &[Stmt<'_>]) -> Option<LeadingValue> {
    let first = children.iter().find(|stmt| match stmt {
        Stmt::EmitRaw(raw) => !raw.raw.trim().is_empty(),
        _ => true,
    })?;
    let Stmt::EmitExpr(emit) = first else {
        return None;
    };
    Some(LeadingValue {
        span: range(emit.span()),
        inserted_whole: inserted_whole(&emit.expr),
    })
}

/// Whether a value is inserted into a URL as written (not URL-encoded).
fn inserted_whole(expr: &Expr<'_>) -> bool {
    match expr {
        Expr::Filter(f) => matches!(f.name, "url" | "safe"),
        Expr::GetAttr(g) => matches!(&g.expr, Expr::Var(v) if v.id == "org"),
        _ => false,
    }
}
