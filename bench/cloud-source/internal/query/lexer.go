package query

import (
	"fmt"
	"strings"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokString
	tokNumber
	tokOp // = != <> < <= > >=
	tokLParen
	tokRParen
	tokComma
)

type token struct {
	kind tokenKind
	text string // identifiers as written; strings unquoted and unescaped
	pos  int
}

// keyword is true when an identifier token is the SQL keyword kw (case-insensitive, as SQL).
func (t token) keyword(kw string) bool { return t.kind == tokIdent && strings.EqualFold(t.text, kw) }

func syntaxError(pos int, near string) error {
	if near == "" {
		return newError("%s: syntax error at position %d near end of query", MalformedQuery, pos+1)
	}
	return newError("%s: syntax error at position %d near '%s'", MalformedQuery, pos+1, near)
}

// unexpectedToken is the error for a token that cannot stand where it is.
func unexpectedToken(t token) error { return syntaxError(t.pos, t.text) }

func lex(input string) ([]token, error) {
	var tokens []token
	for i := 0; i < len(input); {
		c := input[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',':
			kind := map[byte]tokenKind{'(': tokLParen, ')': tokRParen, ',': tokComma}[c]
			tokens = append(tokens, token{kind: kind, text: string(c), pos: i})
			i++
		case c == '\'' || c == '"':
			text, next, err := lexString(input, i)
			if err != nil {
				return nil, err
			}
			tokens = append(tokens, token{kind: tokString, text: text, pos: i})
			i = next
		case c == '`':
			end := strings.IndexByte(input[i+1:], '`')
			if end < 0 {
				return nil, syntaxError(i, input[i:])
			}
			tokens = append(tokens, token{kind: tokIdent, text: input[i+1 : i+1+end], pos: i})
			i += end + 2
		case strings.ContainsRune("=!<>", rune(c)):
			op, next := lexOperator(input, i)
			if op == "!" {
				return nil, syntaxError(i, input[i:])
			}
			tokens = append(tokens, token{kind: tokOp, text: op, pos: i})
			i = next
		case c == '-' || c == '.' || (c >= '0' && c <= '9'):
			next := i + 1
			for next < len(input) && (isDigit(input[next]) || input[next] == '.' || input[next] == 'e' || input[next] == 'E') {
				next++
			}
			tokens = append(tokens, token{kind: tokNumber, text: input[i:next], pos: i})
			i = next
		case isIdentStart(c):
			next := i + 1
			for next < len(input) && (isIdentStart(input[next]) || isDigit(input[next])) {
				next++
			}
			tokens = append(tokens, token{kind: tokIdent, text: input[i:next], pos: i})
			i = next
		default:
			return nil, syntaxError(i, fmt.Sprintf("%c", c))
		}
	}
	return append(tokens, token{kind: tokEOF, pos: len(input)}), nil
}

func lexOperator(input string, i int) (string, int) {
	two := ""
	if i+1 < len(input) {
		two = input[i : i+2]
	}
	switch two {
	case "!=", "<>", "<=", ">=":
		if two == "<>" {
			two = "!="
		}
		return two, i + 2
	}
	return input[i : i+1], i + 1
}

// lexString reads a quoted string: the quote doubled or backslash-escaped stands for itself.
func lexString(input string, start int) (string, int, error) {
	quote := input[start]
	var b strings.Builder
	for i := start + 1; i < len(input); i++ {
		c := input[i]
		switch {
		case c == '\\' && i+1 < len(input):
			i++
			b.WriteByte(unescape(input[i]))
		case c == quote && i+1 < len(input) && input[i+1] == quote:
			b.WriteByte(quote)
			i++
		case c == quote:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, syntaxError(start, input[start:])
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	case '0':
		return 0
	}
	return c
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
