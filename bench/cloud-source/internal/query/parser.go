package query

import "strings"

// Query is a parsed visibility query: a condition (nil: every execution) and, for counts only,
// GROUP BY ExecutionStatus.
type Query struct {
	Where         Expr
	GroupByStatus bool
}

type parser struct {
	tokens []token
	pos    int
}

func (p *parser) peek() token { return p.tokens[p.pos] }

func (p *parser) take() token {
	t := p.tokens[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *parser) unexpected() error { return unexpectedToken(p.peek()) }

// Parse reads the subset of Temporal's visibility SQL this source serves: AND, OR, parentheses,
// = != < <= > >=, IN, NOT IN, BETWEEN, IS [NOT] NULL, STARTS_WITH, and GROUP BY ExecutionStatus.
// Everything else is an *Error worded as the server words it.
func Parse(text string) (*Query, error) {
	tokens, err := lex(text)
	if err != nil {
		return nil, err
	}
	p := &parser{tokens: tokens}
	q := &Query{}
	if t := p.peek(); t.kind != tokEOF && !t.keyword("GROUP") && !t.keyword("ORDER") && !t.keyword("LIMIT") {
		if q.Where, err = p.or(); err != nil {
			return nil, err
		}
	}
	if err := p.clauses(q); err != nil {
		return nil, err
	}
	if p.peek().kind != tokEOF {
		return nil, p.unexpected()
	}
	return q, nil
}

func (p *parser) clauses(q *Query) error {
	if p.peek().keyword("GROUP") {
		p.take()
		if by := p.take(); !by.keyword("BY") {
			return unexpectedToken(by)
		}
		field := p.take()
		if field.kind != tokIdent {
			return syntaxError(field.pos, field.text)
		}
		if p.peek().kind == tokComma {
			return newError("%s: 'group by' clause supports only a single field", NotSupported)
		}
		if field.text != "ExecutionStatus" {
			return newError("%s: 'group by' clause is only supported for ExecutionStatus search attribute", NotSupported)
		}
		q.GroupByStatus = true
	}
	switch t := p.peek(); {
	case t.keyword("ORDER"):
		return newError("%s: 'order by' clause", NotSupported)
	case t.keyword("LIMIT"):
		return newError("%s: 'limit' clause", NotSupported)
	}
	return nil
}

func (p *parser) or() (Expr, error) {
	left, err := p.and()
	for err == nil && p.peek().keyword("OR") {
		p.take()
		var right Expr
		if right, err = p.and(); err == nil {
			left = orExpr{left, right}
		}
	}
	return left, err
}

func (p *parser) and() (Expr, error) {
	left, err := p.primary()
	for err == nil && p.peek().keyword("AND") {
		p.take()
		var right Expr
		if right, err = p.primary(); err == nil {
			left = andExpr{left, right}
		}
	}
	return left, err
}

func (p *parser) primary() (Expr, error) {
	t := p.peek()
	switch {
	case t.kind == tokLParen:
		p.take()
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if closing := p.take(); closing.kind != tokRParen {
			return nil, unexpectedToken(closing)
		}
		return inner, nil
	case t.keyword("NOT"):
		// Elasticsearch visibility (Temporal Cloud's) refuses a bare NOT; so does this source.
		return nil, newError("%s: 'not' expression", NotSupported)
	case t.kind == tokIdent && !isReserved(t.text):
		return p.condition()
	}
	return nil, p.unexpected()
}

var reserved = []string{"AND", "OR", "NOT", "IN", "BETWEEN", "IS", "NULL", "GROUP", "ORDER", "BY", "LIMIT"}

func isReserved(word string) bool {
	for _, r := range reserved {
		if strings.EqualFold(r, word) {
			return true
		}
	}
	return false
}
