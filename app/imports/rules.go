package imports

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"folio/domain"
)

// Limits of the user's rules.
const (
	RulesMax         = 500
	rulePatternMax   = 200
	ruleRegexCostMax = 1000 // bounds the compiled program of a regular expression
)

// Fields a rule looks at.
const (
	RuleFieldAny         = "any"
	RuleFieldPayee       = "payee"
	RuleFieldDescription = "description"
)

// Kinds of match.
const (
	RuleContains = "contains"
	RuleRegex    = "regex"
)

// Rule sends statement lines whose payee or description matches to an account.
type Rule struct {
	ID        uuid.UUID
	Field     string
	Match     string
	Pattern   string
	AccountID uuid.UUID
}

// Check validates a rule and compiles its pattern.
func (r Rule) Check() error {
	_, err := r.compile()
	return err
}

type compiledRule struct {
	rule   Rule
	lower  string // contains: the pattern, lower-cased
	regexp *regexp.Regexp
}

func (r Rule) compile() (compiledRule, error) {
	compiled := compiledRule{rule: r}
	switch r.Field {
	case RuleFieldAny, RuleFieldPayee, RuleFieldDescription:
	default:
		return compiled, domain.Invalid("field", "choose payee, description or any")
	}
	pattern := strings.TrimSpace(r.Pattern)
	if pattern == "" || len(pattern) > rulePatternMax {
		return compiled, domain.Invalid("pattern", "enter 1 to %d characters", rulePatternMax)
	}
	if r.AccountID == uuid.Nil {
		return compiled, domain.Invalid("account", "choose an account")
	}
	switch r.Match {
	case RuleContains:
		compiled.lower = strings.ToLower(pattern)
	case RuleRegex:
		// Go's regular expressions run in linear time, so a pattern cannot hang an import;
		// the size bound keeps its program small.
		re, err := regexp.Compile("(?i)" + pattern)
		if err != nil {
			return compiled, domain.Invalid("pattern", "this is not a regular expression: %s",
				strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		if len(re.String()) > rulePatternMax+10 || re.NumSubexp() > 20 {
			return compiled, domain.Invalid("pattern", "the expression is too large")
		}
		compiled.regexp = re
	default:
		return compiled, domain.Invalid("match", "choose contains or regex")
	}
	return compiled, nil
}

func (c compiledRule) matches(description, payee string) bool {
	var texts []string
	switch c.rule.Field {
	case RuleFieldPayee:
		texts = []string{payee}
	case RuleFieldDescription:
		texts = []string{description}
	default:
		texts = []string{payee, description}
	}
	for _, text := range texts {
		if c.regexp != nil && c.regexp.MatchString(text) {
			return true
		}
		if c.regexp == nil && strings.Contains(strings.ToLower(text), c.lower) {
			return true
		}
	}
	return false
}

// Rules are a user's rules in order: the first that matches wins.
type Rules struct {
	compiled []compiledRule
}

// CompileRules compiles rules in order; an invalid one is named by its position.
func CompileRules(rules []Rule) (*Rules, error) {
	if len(rules) > RulesMax {
		return nil, domain.Invalid("rules", "keep at most %d rules", RulesMax)
	}
	compiled := make([]compiledRule, 0, len(rules))
	for i, rule := range rules {
		c, err := rule.compile()
		if err != nil {
			return nil, fmt.Errorf("rule %d: %w", i+1, err)
		}
		compiled = append(compiled, c)
	}
	return &Rules{compiled: compiled}, nil
}

// Match returns the first rule matching a line's description or payee.
func (r *Rules) Match(description, payee string) (Rule, bool) {
	if r == nil {
		return Rule{}, false
	}
	for _, c := range r.compiled {
		if c.matches(description, payee) {
			return c.rule, true
		}
	}
	return Rule{}, false
}
