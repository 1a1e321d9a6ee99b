package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"folio/app/imports"
	"folio/domain"
)

// The user's import settings: CSV mappings per account, rules and the Wise connection.
// They are settings, not bookkeeping facts, so they live in plain tables scoped by user.

// savedMapping returns the mapping saved for files with the same header (signature ""
// for files without one), preferring the one saved for account, else nil. A mapping
// saved for another layout never applies: the bank changed its export.
func (s *Server) savedMapping(ctx context.Context, userID, accountID uuid.UUID, signature string) (*imports.Mapping, error) {
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT mapping FROM import_mappings WHERE user_id = $1
		AND header_signature = $3 AND (account_id = $2 OR $3 <> '')
		ORDER BY account_id = $2 DESC, updated_at DESC LIMIT 1`, userID, accountID, signature).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load import mapping: %w", err)
	}
	var mapping imports.Mapping
	if err := json.Unmarshal(raw, &mapping); err != nil || mapping.Check() != nil {
		return nil, nil // a mapping saved by an older version that no longer reads: guess again
	}
	return &mapping, nil
}

func (s *Server) saveMapping(ctx context.Context, userID, accountID uuid.UUID, signature string, mapping imports.Mapping) error {
	raw, err := json.Marshal(mapping)
	if err != nil {
		return fmt.Errorf("encode import mapping: %w", err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO import_mappings (user_id, account_id, header_signature, mapping, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, account_id) DO UPDATE
		SET header_signature = $3, mapping = $4, updated_at = $5`, userID, accountID, signature, raw, s.now())
	if err != nil {
		return fmt.Errorf("save import mapping: %w", err)
	}
	return nil
}

// rules returns the user's rules in order.
func (s *Server) rules(ctx context.Context, userID uuid.UUID) ([]imports.Rule, error) {
	rows, err := s.pool.Query(ctx, `SELECT rule_id, field, match, pattern, account_id FROM import_rules
		WHERE user_id = $1 ORDER BY position, created_at LIMIT $2`, userID, imports.RulesMax)
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (imports.Rule, error) {
		var rule imports.Rule
		err := row.Scan(&rule.ID, &rule.Field, &rule.Match, &rule.Pattern, &rule.AccountID)
		return rule, err
	})
}

// compiledRules returns the user's rules ready to match. A rule that no longer compiles
// (none should) is left out rather than blocking every import.
func (s *Server) compiledRules(ctx context.Context, userID uuid.UUID) (*imports.Rules, error) {
	rules, err := s.rules(ctx, userID)
	if err != nil {
		return nil, err
	}
	valid := rules[:0]
	for _, rule := range rules {
		if rule.Check() == nil {
			valid = append(valid, rule)
		}
	}
	return imports.CompileRules(valid)
}

// addRule appends a rule after the user's others.
func (s *Server) addRule(ctx context.Context, userID uuid.UUID, rule imports.Rule) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO import_rules (user_id, rule_id, position, field, match, pattern,
		account_id, created_at)
		SELECT $1, $2, coalesce(max(position), 0) + 1, $3, $4, $5, $6, $7 FROM import_rules WHERE user_id = $1
		HAVING count(*) < $8`,
		userID, rule.ID, rule.Field, rule.Match, rule.Pattern, rule.AccountID, s.now(), imports.RulesMax)
	if err != nil {
		return fmt.Errorf("add rule: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.Invalid("pattern", "you have %d rules, the most Folio keeps: delete some first", imports.RulesMax)
	}
	return nil
}

// updateRule changes a rule of the user's; another user's rule is not found.
func (s *Server) updateRule(ctx context.Context, userID uuid.UUID, rule imports.Rule) error {
	tag, err := s.pool.Exec(ctx, `UPDATE import_rules SET field = $3, match = $4, pattern = $5, account_id = $6
		WHERE user_id = $1 AND rule_id = $2`, userID, rule.ID, rule.Field, rule.Match, rule.Pattern, rule.AccountID)
	if err != nil {
		return fmt.Errorf("update rule: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("there is no such rule")
	}
	return nil
}

func (s *Server) deleteRule(ctx context.Context, userID, ruleID uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM import_rules WHERE user_id = $1 AND rule_id = $2`, userID, ruleID)
	if err != nil {
		return fmt.Errorf("delete rule: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.NotFound("there is no such rule")
	}
	return nil
}

// moveRule swaps a rule with its neighbour before (up) or after it.
func (s *Server) moveRule(ctx context.Context, userID, ruleID uuid.UUID, up bool) error {
	rules, err := s.rules(ctx, userID)
	if err != nil {
		return err
	}
	index := -1
	for i, rule := range rules {
		if rule.ID == ruleID {
			index = i
		}
	}
	if index < 0 {
		return domain.NotFound("there is no such rule")
	}
	other := index + 1
	if up {
		other = index - 1
	}
	if other < 0 || other >= len(rules) {
		return nil
	}
	rules[index], rules[other] = rules[other], rules[index]
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for position, rule := range rules {
			if _, err := tx.Exec(ctx, `UPDATE import_rules SET position = $3 WHERE user_id = $1 AND rule_id = $2`,
				userID, rule.ID, position+1); err != nil {
				return fmt.Errorf("move rule: %w", err)
			}
		}
		return nil
	})
}

// wiseCredentials is a user's stored Wise connection, still sealed.
type wiseCredentials struct {
	TokenSealed      []byte
	PrivateKeySealed []byte
	PublicKeyPEM     string
	UpdatedAt        time.Time
}

func (s *Server) loadWiseCredentials(ctx context.Context, userID uuid.UUID) (wiseCredentials, error) {
	var credentials wiseCredentials
	err := s.pool.QueryRow(ctx, `SELECT token_sealed, private_key_sealed, public_key_pem, updated_at
		FROM wise_credentials WHERE user_id = $1`, userID).Scan(&credentials.TokenSealed,
		&credentials.PrivateKeySealed, &credentials.PublicKeyPEM, &credentials.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return wiseCredentials{}, nil
	}
	if err != nil {
		return wiseCredentials{}, fmt.Errorf("load wise credentials: %w", err)
	}
	return credentials, nil
}

func (s *Server) storeWiseToken(ctx context.Context, userID uuid.UUID, sealed []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO wise_credentials (user_id, token_sealed, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET token_sealed = $2, updated_at = $3`, userID, sealed, s.now())
	if err != nil {
		return fmt.Errorf("store wise token: %w", err)
	}
	return nil
}

func (s *Server) storeWiseKey(ctx context.Context, userID uuid.UUID, sealed []byte, publicPEM string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO wise_credentials (user_id, private_key_sealed, public_key_pem, updated_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE
		SET private_key_sealed = $2, public_key_pem = $3, updated_at = $4`, userID, sealed, publicPEM, s.now())
	if err != nil {
		return fmt.Errorf("store wise key: %w", err)
	}
	return nil
}

func (s *Server) forgetWise(ctx context.Context, userID uuid.UUID) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM wise_credentials WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("forget wise credentials: %w", err)
	}
	return nil
}

// wiseBalanceAccounts returns the accounts the user chose for Wise balances.
func (s *Server) wiseBalanceAccounts(ctx context.Context, userID uuid.UUID) (map[int64]uuid.UUID, error) {
	rows, err := s.pool.Query(ctx, `SELECT balance_id, account_id FROM wise_balance_accounts WHERE user_id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("list wise balance accounts: %w", err)
	}
	defer rows.Close()
	accounts := map[int64]uuid.UUID{}
	for rows.Next() {
		var balanceID int64
		var accountID uuid.UUID
		if err := rows.Scan(&balanceID, &accountID); err != nil {
			return nil, fmt.Errorf("list wise balance accounts: %w", err)
		}
		accounts[balanceID] = accountID
	}
	return accounts, rows.Err()
}

func (s *Server) setWiseBalanceAccount(ctx context.Context, userID uuid.UUID, balanceID int64, accountID uuid.UUID) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO wise_balance_accounts (user_id, balance_id, account_id) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, balance_id) DO UPDATE SET account_id = $3`, userID, balanceID, accountID)
	if err != nil {
		return fmt.Errorf("set wise balance account: %w", err)
	}
	return nil
}
