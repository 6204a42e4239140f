window.YTD.direct_messages.part0 = [
  {
    "dmConversation" : {
      "conversationId" : "12497-987654321",
      "messages" : [
        {
          "messageCreate" : {
            "recipientId" : "12497",
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "I know where you live & I'm coming\nover tonight https://t.co/pic1",
            "mediaUrls" : [ "https://ton.twitter.com/1.1/ton/data/dm/1775787940639682617/1775787940011111111/AbCdEf.jpg" ],
            "senderId" : "987654321",
            "id" : "1775787940639682617",
            "createdAt" : "2024-04-04T07:30:12.250Z",
            "editHistory" : [ ]
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "987654321",
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "Please stop messaging me.",
            "mediaUrls" : [ ],
            "senderId" : "12497",
            "id" : "1775618019947458617",
            "createdAt" : "2024-04-03T20:15:00.000Z"
          }
        },
        {
          "reactionCreate" : {
            "senderId" : "987654321",
            "reactionKey" : "like",
            "eventId" : "1775618019947458700",
            "createdAt" : "2024-04-03T20:16:00.000Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "12497",
            "reactions" : [ ],
            "urls" : [ ],
            "text" : "😡 why are you ignoring me? https://t.co/vid1",
            "mediaUrls" : [ "https://video.twimg.com/dm_video/1775616533066690617/vid/640x360/Zz9Yy8.mp4?tag=1" ],
            "senderId" : "987654321",
            "id" : "1775616533066690617",
            "createdAt" : "2024-04-03T20:09:05.500Z"
          }
        },
        {
          "messageCreate" : {
            "recipientId" : "12497",
            "reactions" : [ ],
            "urls" : [ {
              "url" : "https://t.co/abc",
              "expanded" : "https://example.org/x",
              "display" : "example.org/x"
            } ],
            "text" : "answer me https://t.co/abc",
            "mediaUrls" : [ ],
            "senderId" : "987654321",
            "id" : "1775616426627838009",
            "createdAt" : "2024-04-03T20:08:40.123Z"
          }
        },
        {
          "futureEventNobodyKnows" : {
            "createdAt" : "2024-04-03T20:00:00.000Z"
          }
        }
      ]
    }
  }
]
