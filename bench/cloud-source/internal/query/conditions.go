package query

// condition parses `<field> <operator> …` once the field name has been seen.
func (p *parser) condition() (Expr, error) {
	name := p.take()
	info, err := lookupField(name.text)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tokOp:
		return p.comparison(name.text, info)
	case t.keyword("STARTS_WITH"):
		p.take()
		if info.kind != kindKeyword {
			return nil, newError("%s: operator 'starts_with' is only supported for Keyword search attributes", InvalidExpression)
		}
		v, err := parseValue(p.take(), name.text, info)
		return compareExpr{info: info, op: opStartsWith, v: v}, err
	case t.keyword("IN"):
		p.take()
		return p.in(name.text, info, false)
	case t.keyword("IS"):
		return p.is(info)
	case t.keyword("BETWEEN"):
		p.take()
		return p.between(name.text, info)
	case t.keyword("NOT"):
		p.take()
		switch next := p.take(); {
		case next.keyword("IN"):
			return p.in(name.text, info, true)
		case next.keyword("BETWEEN"):
			return nil, newError("%s: 'not between' expression", NotSupported)
		default:
			return nil, unexpectedToken(next)
		}
	}
	if t.kind == tokEOF {
		return nil, newError("%s: incomplete expression", InvalidExpression)
	}
	return nil, p.unexpected()
}

func (p *parser) comparison(name string, info fieldInfo) (Expr, error) {
	operator := operators[p.take().text]
	v, err := parseValue(p.take(), name, info)
	if err != nil {
		return nil, err
	}
	return compareExpr{info: info, op: operator, v: v}, nil
}

func (p *parser) in(name string, info fieldInfo, negate bool) (Expr, error) {
	if open := p.take(); open.kind != tokLParen {
		return nil, unexpectedToken(open)
	}
	var values []value
	for {
		v, err := parseValue(p.take(), name, info)
		if err != nil {
			return nil, err
		}
		values = append(values, v)
		switch next := p.take(); next.kind {
		case tokComma:
			continue
		case tokRParen:
			return inExpr{info: info, values: values, negate: negate}, nil
		default:
			return nil, unexpectedToken(next)
		}
	}
}

func (p *parser) is(info fieldInfo) (Expr, error) {
	p.take()
	negate := false
	if p.peek().keyword("NOT") {
		p.take()
		negate = true
	}
	if !p.take().keyword("NULL") {
		return nil, newError("%s: 'IS' operator can only be used with 'NULL' or 'NOT NULL'", InvalidExpression)
	}
	return nullExpr{info: info, negate: negate}, nil
}

func (p *parser) between(name string, info fieldInfo) (Expr, error) {
	if info.kind != kindDatetime {
		return nil, newError("%s: cannot do range condition on search attribute '%s' of type Keyword", InvalidExpression, name)
	}
	lo, err := parseValue(p.take(), name, info)
	if err != nil {
		return nil, err
	}
	if and := p.take(); !and.keyword("AND") {
		return nil, unexpectedToken(and)
	}
	hi, err := parseValue(p.take(), name, info)
	if err != nil {
		return nil, err
	}
	return betweenExpr{info: info, lo: lo, hi: hi}, nil
}
