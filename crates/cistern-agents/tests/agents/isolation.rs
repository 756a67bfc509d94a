//! Users never see or touch each other's conversations and memory.

use cistern_agents::Error;

use crate::helpers::{Database, agents, config, fake, user};

fn not_found<T: std::fmt::Debug>(r: Result<T, Error>) {
    assert!(
        matches!(r, Err(Error::NotFound(_))),
        "expected not found, got {r:?}"
    );
}

#[tokio::test]
async fn user_b_cannot_list_read_post_rename_or_delete_a_conversation() {
    for database in [Some(Database::sqlite().await), Database::postgres().await]
        .into_iter()
        .flatten()
    {
        let fake = fake().await;
        let db = database.connect().await;
        let a_user = user(&db, "a@example.com").await;
        let b_user = user(&db, "b@example.com").await;
        let agents = agents(db, &fake, 32_000, config()).await;
        let conv = agents
            .send(&a_user, None, "secret plans", None)
            .await
            .expect("turn")
            .conversation_id;

        assert!(
            agents
                .conversations(&b_user, 10, None)
                .await
                .expect("list")
                .conversations
                .is_empty()
        );
        not_found(agents.conversation(&b_user, &conv).await);
        not_found(agents.messages(&b_user, &conv, 10, None).await);
        agents.evict_idle(std::time::Duration::ZERO);
        not_found(agents.send(&b_user, Some(&conv), "let me in", None).await);
        assert_eq!(
            agents.loaded_agents(),
            0,
            "B's attempt left no agent behind"
        );
        not_found(agents.rename(&b_user, &conv, "mine now").await);
        not_found(agents.delete(&b_user, &conv).await);
        // A's conversation is untouched, and A's agent still works after B's attempts.
        let mine = agents.conversation(&a_user, &conv).await.expect("A reads");
        assert_eq!(
            (mine.message_count, mine.title.as_str()),
            (2, "secret plans")
        );
        let r = agents
            .send(&a_user, Some(&conv), "more plans", None)
            .await
            .expect("A posts");
        assert_eq!(r.message_count, 4);

        let memory = agents.memory();
        let fact = memory
            .add_fact(&a_user, "A keeps the key under the mat", "api")
            .await
            .expect("fact");
        assert!(
            memory
                .search_facts(&b_user, "key mat", 5)
                .await
                .expect("search")
                .is_empty()
        );
        assert!(
            memory
                .list_facts(&b_user, 10, None)
                .await
                .expect("list")
                .facts
                .is_empty()
        );
        not_found(memory.delete_fact(&b_user, &fact.id).await);
        assert_eq!(
            memory
                .search_facts(&a_user, "key mat", 5)
                .await
                .expect("search")
                .len(),
            1
        );
        memory
            .set_system_prompt(&a_user, "Answer like a pirate.")
            .await
            .expect("set");
        assert_eq!(memory.system_prompt(&b_user).await.expect("get"), None);
        agents.shutdown().await;
        fake.shutdown().await;
    }
}
